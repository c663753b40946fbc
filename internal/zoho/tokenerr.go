package zoho

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors matched with errors.Is on errors from Exchange, Refresh,
// Revoke and ConsentingUser.
var (
	// ErrInvalidCode: the grant code is wrong, expired or already used.
	ErrInvalidCode = errors.New("zoho: invalid grant code")
	// ErrInvalidClient: client id or secret rejected (or redirect mismatch).
	ErrInvalidClient = errors.New("zoho: invalid client")
	// ErrInvalidGrant: the refresh (or revoked) token is dead; the org needs
	// a new consent.
	ErrInvalidGrant = errors.New("zoho: refresh token invalid, new consent needed")
	// ErrThrottled: Zoho's "Access Denied … too many requests continuously".
	// Back off for 10–30 minutes.
	ErrThrottled = errors.New("zoho: throttled by zoho accounts")
)

// TokenError is an error answered by a Zoho Accounts endpoint. Zoho usually
// sends these with HTTP 200 and an "error" key. It never holds tokens.
type TokenError struct {
	// Op is the operation: "exchange", "refresh", "revoke" or "user info".
	Op string
	// Status is the HTTP status of the answer.
	Status int
	// Code is Zoho's "error" value, e.g. "invalid_code"; empty when the body
	// was not a Zoho error document.
	Code string
	// Description is Zoho's error_description, when present.
	Description string
}

// Error implements error.
func (e *TokenError) Error() string {
	s := fmt.Sprintf("zoho: %s: accounts answered HTTP %d", e.Op, e.Status)
	if e.Code != "" {
		s += fmt.Sprintf(" error %q", e.Code)
	}
	if e.Description != "" {
		s += fmt.Sprintf(" (%s)", e.Description)
	}
	return s
}

// Is maps Zoho's codes to the sentinel errors.
func (e *TokenError) Is(target error) bool {
	code := strings.ToLower(e.Code)
	switch target {
	case ErrThrottled:
		return e.throttled()
	case ErrInvalidCode:
		return e.Op == "exchange" && code == "invalid_code"
	case ErrInvalidClient:
		return code == "invalid_client" || code == "invalid_client_secret" || code == "invalid_redirect_uri"
	case ErrInvalidGrant:
		return e.Op != "exchange" && (code == "invalid_code" || code == "invalid_grant" || code == "invalid_token")
	}
	return false
}

func (e *TokenError) throttled() bool {
	return strings.EqualFold(e.Code, "Access Denied") ||
		strings.Contains(strings.ToLower(e.Description), "too many requests")
}

// retryable says whether repeating later can help.
func (e *TokenError) retryable() bool {
	return e.throttled() || e.Status >= 500 || e.Status == 429
}
