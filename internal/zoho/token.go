package zoho

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Token is what Zoho Accounts returns for a grant or refresh. RefreshToken is
// empty after Refresh (Zoho does not rotate refresh tokens; keep the old one).
// Its String and LogValue methods redact the secrets.
type Token struct {
	// AccessToken authorises PhoneBridge calls for about an hour.
	AccessToken string
	// RefreshToken lives until revoked or evicted (20 per user per client).
	RefreshToken string
	// APIDomain is the base for PhoneBridge calls, e.g. https://www.zohoapis.eu.
	APIDomain string
	// Expiry is when AccessToken stops working.
	Expiry time.Time
}

// String redacts the tokens so a Token can never be printed by accident.
func (t Token) String() string {
	return fmt.Sprintf("zoho.Token{api_domain=%s expiry=%s access=%s refresh=%s}",
		t.APIDomain, t.Expiry.Format(time.RFC3339), redact(t.AccessToken), redact(t.RefreshToken))
}

// GoString redacts like String, for %#v.
func (t Token) GoString() string { return t.String() }

// LogValue redacts the tokens in slog output.
func (t Token) LogValue() slog.Value {
	return slog.GroupValue(slog.String("api_domain", t.APIDomain), slog.Time("expiry", t.Expiry))
}

func redact(s string) string {
	if s == "" {
		return `""`
	}
	return "[redacted]"
}

func (o *OAuth) config(accountsServer, location string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     o.cfg.ClientID,
		ClientSecret: o.secret(accountsServer, location),
		RedirectURL:  o.cfg.RedirectURL,
		Endpoint: oauth2.Endpoint{
			AuthURL:   o.cfg.HomeAccountsURL + "/oauth/v2/auth",
			TokenURL:  accountsServer + "/oauth/v2/token",
			AuthStyle: oauth2.AuthStyleInParams,
		},
	}
}

// secret is the client secret for the data centre of accountsServer (an
// accounts server of Zoho's table names its own data centre, whatever
// location says) or else of location: OAuthConfig.ClientSecrets, or
// ClientSecret when it has none for it.
func (o *OAuth) secret(accountsServer, location string) string {
	if dc, ok := DataCentreByAccountsServer(accountsServer); ok {
		location = dc.Location
	}
	if s, ok := o.cfg.ClientSecrets[strings.ToLower(location)]; ok && location != "" {
		return s
	}
	return o.cfg.ClientSecret
}

// Exchange trades the grant code from the redirect for tokens at the user's
// accounts server (validated with AccountsServer first; nothing is sent to a
// refused server), with the client secret of the consent's data centre
// (location, the redirect's). Errors match ErrInvalidCode, ErrInvalidClient,
// ErrThrottled or ErrAccountsServer.
func (o *OAuth) Exchange(ctx context.Context, accountsServer, location, code string) (Token, error) {
	as, err := o.AccountsServer(accountsServer)
	if err != nil {
		return Token{}, fmt.Errorf("zoho: exchange: %w", err)
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, o.client)
	tok, err := o.config(as, location).Exchange(ctx, code)
	if err != nil {
		return Token{}, tokenErr("exchange", err)
	}
	return o.fromOAuth2("exchange", tok)
}

// Refresh gets a new access token for refreshToken, with the client secret
// of the consent's data centre (location, as stored with the consent). The
// returned Token has an empty RefreshToken: keep using the old one.
// errors.Is(err, ErrInvalidGrant) means the org must consent again;
// ErrThrottled means refreshing too often.
func (o *OAuth) Refresh(ctx context.Context, accountsServer, location, refreshToken string) (Token, error) {
	as, err := o.AccountsServer(accountsServer)
	if err != nil {
		return Token{}, fmt.Errorf("zoho: refresh: %w", err)
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, o.client)
	src := o.config(as, location).TokenSource(ctx, &oauth2.Token{RefreshToken: refreshToken})
	tok, err := src.Token()
	if err != nil {
		return Token{}, tokenErr("refresh", err)
	}
	t, err := o.fromOAuth2("refresh", tok)
	if t.RefreshToken == refreshToken {
		t.RefreshToken = ""
	}
	return t, err
}

func (o *OAuth) fromOAuth2(op string, tok *oauth2.Token) (Token, error) {
	domain, _ := tok.Extra("api_domain").(string)
	if err := checkAPIDomain(domain); err != nil {
		return Token{}, fmt.Errorf("zoho: %s: %w", op, err)
	}
	return Token{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, APIDomain: domain, Expiry: tok.Expiry}, nil
}

// checkAPIDomain rejects an api_domain that is not a plain http(s) origin
// (with an optional path, as the simulator uses).
func checkAPIDomain(d string) error {
	u, err := url.Parse(d)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return errors.New("token response has no usable api_domain")
	}
	return nil
}

// tokenErr converts an oauth2 error into *TokenError (or a transport
// error) without keeping the response body, which could hold secrets.
func tokenErr(op string, err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		te := &TokenError{Op: op, Code: re.ErrorCode, Description: re.ErrorDescription}
		if re.Response != nil {
			te.Status = re.Response.StatusCode
		}
		return te
	}
	return transportErr(op, err)
}

// transportErr strips the URL from *url.Error (revoke URLs carry tokens).
func transportErr(op string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &TransportError{Op: op, Err: err}
}
