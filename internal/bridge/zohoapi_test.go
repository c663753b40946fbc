package bridge_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/conecta-zoho/gateway/internal/bridge"
	"github.com/conecta-zoho/gateway/internal/outbox"
	"github.com/conecta-zoho/gateway/internal/xsisim"
	"github.com/conecta-zoho/gateway/internal/zohoapi"
)

// post sends a form to the gateway with an optional auth header.
func post(t testing.TB, h http.Handler, path string, form url.Values, header string) int {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if header != "" {
		req.Header.Set(zohoapi.AuthParam, header)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

// TestZohoEndpointsRefuse: unauthenticated, malformed and foreign requests
// get a 4xx and dial nothing.
func TestZohoEndpointsRefuse(t *testing.T) {
	t.Parallel()
	e := newEnv(t, xsisim.Options{})
	in := e.start(outbox.Options{})
	h := in.bridge.Handler()
	co, link := strconv.FormatInt(e.company, 10), strconv.FormatInt(e.link.ID, 10)
	form := func(kv ...string) url.Values {
		v := url.Values{zohoapi.ParamCompany: {co}, zohoapi.ParamLink: {link}, "tonumber": {"600123456"}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	tests := []struct {
		name   string
		path   string
		form   url.Values
		header string
		want   int
	}{
		{"no secret", zohoapi.ClickToDialPath, form(), "", http.StatusUnauthorized},
		{"wrong secret", zohoapi.ClickToDialPath, form(), "nope", http.StatusForbidden},
		{"secret of another link", zohoapi.ClickToDialPath, form(zohoapi.ParamLink, "999"), e.secret, http.StatusForbidden},
		{"other company", zohoapi.ClickToDialPath, form(zohoapi.ParamCompany, "999"), e.secret, http.StatusForbidden},
		{"malformed ids", zohoapi.ClickToDialPath, form(zohoapi.ParamCompany, "x"), e.secret, http.StatusForbidden},
		{"call of nobody", zohoapi.CallControlPath(zohoapi.ActionHold), form("callrefid", "abc"), e.secret, http.StatusNotFound},
		{"no callrefid", zohoapi.CallControlPath(zohoapi.ActionHangup), form(), e.secret, http.StatusBadRequest},
		{"bad digit", zohoapi.CallControlPath(zohoapi.ActionKeypress), form("callrefid", "abc", "digit", "x"), e.secret, http.StatusBadRequest},
		{"secret as form param", zohoapi.CallControlPath(zohoapi.ActionHold), form("callrefid", "[abc]", zohoapi.AuthParam, e.secret), "", http.StatusNotFound},
		{"NUL in callrefid", zohoapi.CallControlPath(zohoapi.ActionHold), form("callrefid", "a\x00b"), e.secret, http.StatusBadRequest},
		{"invalid UTF-8 in callrefid", zohoapi.CallControlPath(zohoapi.ActionHangup), form("callrefid", "caf\xc3"), e.secret, http.StatusBadRequest},
		{"NUL in tonumber", zohoapi.ClickToDialPath, form("tonumber", "600\x00123456"), e.secret, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := post(t, h, tt.path, tt.form, tt.header); got != tt.want {
				t.Fatalf("status %d, want %d", got, tt.want)
			}
		})
	}
	if n := len(e.xsi.Calls()); n != 0 {
		t.Fatalf("%d calls placed by refused requests", n)
	}
	// An unknown events token, and garbage with a good one, store nothing.
	if got := post(t, h, bridge.EventsPath("nope"), nil, ""); got != http.StatusNotFound {
		t.Fatalf("unknown token: %d", got)
	}
}

// FuzzZohoEndpoints feeds arbitrary bodies, headers and actions to the
// Zoho-facing endpoints: never a 5xx, never a call without the secret.
func FuzzZohoEndpoints(f *testing.F) {
	f.Add("clicktodial", "tonumber=600123456&conecta_company=1&conecta_link=1", "")
	f.Add("call/hold", "callrefid=%5Babc%5D&conecta_company=1&conecta_link=1&X-Conecta-Token=x", "")
	f.Add("call/keypress", "digit=%00&callrefid=a", "tok")
	f.Add("clicktodial", "tonumber=%zz", "")
	f.Add("call/answer", strings.Repeat("a=b&", 5000), "x")
	e := newEnv(f, xsisim.Options{})
	h := e.start(outbox.Options{}).bridge.Handler()
	f.Fuzz(func(t *testing.T, action, body, header string) {
		req := httptest.NewRequest(http.MethodPost, "/bridge/zoho/"+url.PathEscape(action), strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if header != "" && !strings.ContainsAny(header, "\r\n\x00") {
			req.Header.Set(zohoapi.AuthParam, header)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q %q", rec.Code, action, body)
		}
		if len(e.xsi.Calls()) != 0 {
			t.Fatalf("a call was placed without the secret: %q %q", action, body)
		}
	})
}
