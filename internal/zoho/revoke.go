package zoho

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Revoke revokes a refresh token (and with it its access tokens) or a single
// access token with POST {accounts}/oauth/v2/token/revoke?token=…, the form
// Zoho documents most widely. Zoho answers {"status":"success"}; an unknown
// token gives HTTP 400, reported as a *TokenError matching ErrInvalidGrant.
func (o *OAuth) Revoke(ctx context.Context, accountsServer, token string) error {
	as, err := o.AccountsServer(accountsServer)
	if err != nil {
		return fmt.Errorf("zoho: revoke: %w", err)
	}
	u := as + "/oauth/v2/token/revoke?" + url.Values{"token": {token}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
	if err != nil {
		return fmt.Errorf("zoho: revoke: build request failed")
	}
	var body struct {
		Status           string `json:"status"`
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	status, err := o.doJSON(req, "revoke", &body)
	if err != nil {
		return err
	}
	if status/100 == 2 && body.Error == "" && (body.Status == "" || body.Status == "success") {
		return nil
	}
	code := body.Error
	if code == "" && status == http.StatusBadRequest {
		code = "invalid_token"
	}
	return &TokenError{Op: "revoke", Status: status, Code: code, Description: body.ErrorDescription}
}

// Account identifies the Zoho user who granted consent.
type Account struct {
	// ZUID is Zoho's numeric user id, as a string.
	ZUID string
	// Email is the account's primary e-mail address.
	Email string
	// DisplayName is the name Zoho shows for the user.
	DisplayName string
}

// ConsentingUser asks GET {accounts}/oauth/user/info (scope
// AaaServer.profile.Read) who owns accessToken. Use the accounts server the
// token came from.
func (o *OAuth) ConsentingUser(ctx context.Context, accountsServer, accessToken string) (Account, error) {
	as, err := o.AccountsServer(accountsServer)
	if err != nil {
		return Account{}, fmt.Errorf("zoho: user info: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, as+"/oauth/user/info", nil)
	if err != nil {
		return Account{}, fmt.Errorf("zoho: user info: build request failed")
	}
	req.Header.Set("Authorization", "Zoho-oauthtoken "+accessToken)
	var body struct {
		Email       string          `json:"Email"`
		ZUID        json.RawMessage `json:"ZUID"`
		DisplayName string          `json:"Display_Name"`
		Error       string          `json:"error"`
		Code        string          `json:"code"`
	}
	status, err := o.doJSON(req, "user info", &body)
	if err != nil {
		return Account{}, err
	}
	if status/100 != 2 || body.Error != "" || body.Email == "" {
		code := body.Error
		if code == "" {
			code = body.Code
		}
		return Account{}, &TokenError{Op: "user info", Status: status, Code: code}
	}
	return Account{ZUID: opaqueID(body.ZUID), Email: body.Email, DisplayName: body.DisplayName}, nil
}

// doJSON sends req and decodes a JSON body into v when there is one. Only a
// transport failure is returned as error; the status is for the caller.
func (o *OAuth) doJSON(req *http.Request, op string, v any) (int, error) {
	req.Header.Set("Accept", "application/json")
	resp, err := o.client.Do(req)
	if err != nil {
		return 0, transportErr(op, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, transportErr(op, err)
	}
	if ct := resp.Header.Get("Content-Type"); strings.Contains(ct, "json") || json.Valid(data) {
		_ = json.Unmarshal(data, v)
	}
	return resp.StatusCode, nil
}

// opaqueID turns a JSON string or number into its text form.
func opaqueID(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return strings.TrimSpace(string(raw))
}
