package zoho

import (
	"context"
	"fmt"
	"log/slog"
)

// Credential is what a PhoneBridge call needs: the org's api_domain and a
// current access token. String and LogValue redact the token.
type Credential struct {
	// APIDomain is the api_domain from the token response.
	APIDomain string
	// AccessToken is sent as "Authorization: Zoho-oauthtoken <AccessToken>".
	AccessToken string
}

// String redacts the access token.
func (c Credential) String() string {
	return fmt.Sprintf("zoho.Credential{api_domain=%s access=%s}", c.APIDomain, redact(c.AccessToken))
}

// GoString redacts like String.
func (c Credential) GoString() string { return c.String() }

// LogValue redacts the access token in slog output.
func (c Credential) LogValue() slog.Value { return slog.StringValue(c.APIDomain) }

// TokenSource supplies credentials to PhoneBridge; the caller implements it
// over its token store (normally: cache the access token, refresh through
// OAuth.Refresh shortly before expiry, never per request).
//
// Protocol: PhoneBridge calls Token before each attempt. When Zoho answers
// 401 INVALID_TOKEN, PhoneBridge calls Rejected with the credential that
// failed; if Rejected returns nil, PhoneBridge calls Token again (the
// source should now refresh) and retries the request exactly once. A second
// 401 is returned to the caller as *Error with Code CodeInvalidToken. If
// Rejected returns an error (e.g. ErrInvalidGrant: the org needs new
// consent), the call fails with that error wrapped.
type TokenSource interface {
	// Token returns the credential to use now.
	Token(ctx context.Context) (Credential, error)
	// Rejected reports that Zoho refused cred with 401.
	Rejected(ctx context.Context, cred Credential) error
}

// StaticToken is a TokenSource for a fixed credential (tests, one-off
// tools). Rejected always fails, so a 401 is returned without retry.
type StaticToken Credential

// Token returns the fixed credential.
func (s StaticToken) Token(context.Context) (Credential, error) { return Credential(s), nil }

// Rejected fails: a static credential cannot be refreshed.
func (s StaticToken) Rejected(context.Context, Credential) error {
	return fmt.Errorf("zoho: static credential rejected")
}
