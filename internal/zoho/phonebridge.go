package zoho

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// PhoneBridge calls Zoho PhoneBridge v3 for one org, whose credentials come
// from a TokenSource. It is safe for concurrent use.
//
// Requests: form-encoded bodies for POST (url.Values.Encode, so "+" goes out
// as %2B); DELETE and GET carry their parameters in the query string, since
// servlet-style servers such as Zoho's do not read DELETE bodies.
type PhoneBridge struct {
	client *http.Client
	ts     TokenSource
	retry  RetryPolicy
}

// NewPhoneBridge returns a client that uses httpClient (nil: a client with a
// 30 s timeout) and ts, with DefaultRetryPolicy.
func NewPhoneBridge(httpClient *http.Client, ts TokenSource) *PhoneBridge {
	if httpClient == nil {
		httpClient = &http.Client{Timeout: defaultTimeout}
	}
	return &PhoneBridge{client: httpClient, ts: ts, retry: DefaultRetryPolicy()}
}

// WithRetry returns a copy of p that uses policy for idempotent calls.
func (p *PhoneBridge) WithRetry(policy RetryPolicy) *PhoneBridge {
	if policy.Attempts < 1 {
		policy.Attempts = 1
	}
	c := *p
	c.retry = policy
	return &c
}

// envelope is Zoho's success/error body.
type envelope struct {
	Status  string `json:"status"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Details struct {
		Param string `json:"param"`
	} `json:"details"`
}

// call describes one PhoneBridge request.
type call struct {
	op, method, path string
	params           url.Values
	idempotent       bool
}

// do runs c with retries (idempotent calls only) and one re-authentication
// after a 401; on success it decodes the body into out when out is not nil.
func (p *PhoneBridge) do(ctx context.Context, c call, out any) error {
	attempts := 1
	if c.idempotent {
		attempts = p.retry.Attempts
	}
	reauthed := false
	for n := 1; ; n++ {
		cred, err := p.ts.Token(ctx)
		if err != nil {
			return fmt.Errorf("zoho: %s: get credential: %w", c.op, err)
		}
		resp, data, err := p.attempt(ctx, c, cred)
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("zoho: %s: %w", c.op, ctx.Err())
			}
			if n < attempts {
				if serr := sleep(ctx, p.retry.backoff(n, nil)); serr != nil {
					return fmt.Errorf("zoho: %s: %w", c.op, serr)
				}
				continue
			}
			return err
		}
		perr := decode(c.op, resp, data, out)
		if perr == nil {
			return nil
		}
		if resp.StatusCode == http.StatusUnauthorized && !reauthed {
			reauthed = true
			if rerr := p.ts.Rejected(ctx, cred); rerr != nil {
				return fmt.Errorf("zoho: %s: credential rejected: %w", c.op, rerr)
			}
			n--
			continue
		}
		if n < attempts && Retryable(perr) {
			if serr := sleep(ctx, p.retry.backoff(n, resp)); serr != nil {
				return fmt.Errorf("zoho: %s: %w", c.op, serr)
			}
			continue
		}
		return perr
	}
}

// attempt sends one HTTP request and reads the body.
func (p *PhoneBridge) attempt(ctx context.Context, c call, cred Credential) (*http.Response, []byte, error) {
	if err := checkAPIDomain(cred.APIDomain); err != nil {
		return nil, nil, fmt.Errorf("zoho: %s: credential: %w", c.op, err)
	}
	if p.retry.AttemptTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.retry.AttemptTimeout)
		defer cancel()
	}
	u := strings.TrimRight(cred.APIDomain, "/") + "/phonebridge/v3/" + c.path
	var body io.Reader
	if c.method == http.MethodPost {
		body = strings.NewReader(c.params.Encode())
	} else if len(c.params) > 0 {
		u += "?" + c.params.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, c.method, u, body)
	if err != nil {
		return nil, nil, fmt.Errorf("zoho: %s: build request failed", c.op)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Zoho-oauthtoken "+cred.AccessToken)
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, nil, transportErr(c.op, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, nil, transportErr(c.op, err)
	}
	return resp, data, nil
}

// decode turns a response into nil or *Error, filling out on success.
func decode(op string, resp *http.Response, data []byte, out any) error {
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	var env envelope
	isJSON := json.Unmarshal(data, &env) == nil
	ok := resp.StatusCode/100 == 2
	if ok && isJSON && !strings.EqualFold(env.Status, "error") {
		if out != nil {
			if err := json.Unmarshal(data, out); err != nil {
				return &Error{Op: op, Status: resp.StatusCode, Message: "cannot decode response body"}
			}
		}
		return nil
	}
	if ok && !isJSON && out == nil && len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if !isJSON {
		if ct == "" {
			ct = "no content type"
		}
		return &Error{Op: op, Status: resp.StatusCode, Message: fmt.Sprintf("unexpected non-JSON response (%s, %d bytes)", ct, len(data))}
	}
	return &Error{Op: op, Status: resp.StatusCode, Code: env.Code, Message: env.Message, Param: env.Details.Param}
}

// errNoUser is returned when a zohouser argument is missing.
var errNoUser = errors.New("zohouser is required")
