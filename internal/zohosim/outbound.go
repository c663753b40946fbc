package zohosim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// ErrNotRegistered is returned by ClickToDial and CallControl when the user
// has no matching registration.
var ErrNotRegistered = errors.New("zohosim: no registration for user")

// findUser returns the org of zohouser or nil.
func (s *Sim) orgOf(zohouser string) *Org {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.users[zohouser]; ok {
		return u.org
	}
	return nil
}

// ClickToDial acts like Zoho when zohouser clicks number: it POSTs a
// form-encoded body to the registered clicktodialuri with tonumber=number,
// every clicktodialparam as name=value (a value "{to}" replaced by number)
// and the authorizationparam pair both as form parameter and as header.
// A non-2xx answer is an error.
func (s *Sim) ClickToDial(ctx context.Context, zohouser, number string) error {
	o := s.orgOf(zohouser)
	if o == nil {
		return fmt.Errorf("zohosim: click to dial: %w", ErrNotRegistered)
	}
	reg, ok := o.ClickToDial(zohouser)
	if !ok {
		return fmt.Errorf("zohosim: click to dial: %w", ErrNotRegistered)
	}
	form := url.Values{"tonumber": {number}}
	for _, p := range reg.Params {
		form.Add(p.Name, strings.ReplaceAll(p.Value, "{to}", number))
	}
	return s.post(ctx, "click to dial", reg.URI, form, reg.Auth)
}

// CallControl acts like Zoho when zohouser presses a call-bar button:
// action is answer, hungup, hold, unhold, keypress, mute or unmute. It POSTs
// callrefid (the provider's callnotify id), digit (keypress only), the
// callcontrolparam pairs and the authorizationparam pair (form and header).
func (s *Sim) CallControl(ctx context.Context, zohouser, action, callrefid, digit string) error {
	if _, ok := controlActions[action]; !ok {
		return fmt.Errorf("zohosim: call control: unknown action %q", action)
	}
	o := s.orgOf(zohouser)
	if o == nil {
		return fmt.Errorf("zohosim: call control: %w", ErrNotRegistered)
	}
	reg, ok := o.CallControl(zohouser)
	uri := reg.URIs[action]
	if !ok || uri == "" {
		return fmt.Errorf("zohosim: call control %s: %w", action, ErrNotRegistered)
	}
	form := url.Values{"callrefid": {callrefid}}
	if action == "keypress" {
		form.Set("digit", digit)
	}
	for _, p := range reg.Params {
		form.Add(p.Name, p.Value)
	}
	if err := s.post(ctx, "call control "+action, uri, form, reg.Auth); err != nil {
		return err
	}
	// Zoho's call bar follows what the provider accepted: callnotify has no
	// held state.
	switch action {
	case "hold":
		o.setHeld(callrefid, true)
	case "unhold":
		o.setHeld(callrefid, false)
	}
	return nil
}

func (s *Sim) post(ctx context.Context, op, uri string, form url.Values, auth Param) error {
	if auth.Name != "" {
		form.Set(auth.Name, auth.Value)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, uri, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("zohosim: %s: %w", op, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "Zoho-PhoneBridge-Simulator")
	if auth.Name != "" && headerSafe(auth.Name, auth.Value) {
		req.Header.Set(auth.Name, auth.Value)
	}
	resp, err := s.opts.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("zohosim: %s: %w", op, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("zohosim: %s: provider answered HTTP %d", op, resp.StatusCode)
	}
	return nil
}

// headerSafe reports whether name is an HTTP token and value has no control
// characters, so the pair can also travel as a header.
func headerSafe(name, value string) bool {
	for _, c := range name {
		if c <= ' ' || c >= 0x7f || strings.ContainsRune("()<>@,;:\\\"/[]?={}", c) {
			return false
		}
	}
	for _, c := range value {
		if c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return name != ""
}
