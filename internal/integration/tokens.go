package integration

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/conecta-zoho/gateway/internal/metrics"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/zoho"
)

// tokens is a company's zoho.TokenSource over the store. The access token is
// reused until refreshMargin before it expires; the refresh runs inside a
// transaction that holds the integration's row lock, and re-reads the row
// first, so concurrent callers on any number of instances cause one refresh.
//
// A tokens made with the company's version (PhoneBridgeAt) first looks in
// the Service's cache of access tokens, which holds the token read at a
// version: the same version means the same integration row.
type tokens struct {
	svc       *Service
	companyID int64
	version   int64
	versioned bool
}

// Token returns a current access token, refreshing it when needed.
func (t *tokens) Token(ctx context.Context) (zoho.Credential, error) {
	s := t.svc
	if t.versioned {
		if cred, ok := s.creds.get(t.companyID, t.version, s.now().Add(refreshMargin)); ok {
			return cred, nil
		}
	}
	z, version, err := s.store.ZohoIntegrationAt(ctx, t.companyID)
	if err != nil {
		return zoho.Credential{}, err
	}
	if cred, ok := s.current(z); ok {
		s.creds.put(t.companyID, version, cred, z.AccessExpiresAt)
		return cred, nil
	}
	var cred zoho.Credential
	var dead bool
	err = s.store.LockZohoIntegration(ctx, t.companyID, func(z store.ZohoIntegration) (store.ZohoIntegration, bool, error) {
		if c, ok := s.current(z); ok { // another caller refreshed while we waited
			cred = c
			return z, false, nil
		}
		switch z.Status {
		case store.ZohoEnabled, store.ZohoDisabling:
		case store.ZohoNeedsConsent:
			dead = true
			return z, false, nil
		default:
			return z, false, &Error{Code: CodeNotEnabled}
		}
		if s.oauth == nil {
			return z, false, &Error{Code: CodeNotConfigured}
		}
		tok, err := s.oauth.Refresh(ctx, z.AccountsServer, z.Location, z.RefreshToken)
		s.metrics.TokenRefresh(refreshResult(err))
		if errors.Is(err, zoho.ErrInvalidGrant) {
			dead = true
			z.Status, z.LastError, z.AccessToken = store.ZohoNeedsConsent, CodeNeedsConsent, ""
			s.audit(ctx, z.CompanyID, "gateway", "zoho.needs_consent", map[string]string{"reason": "refresh token rejected"})
			return z, true, nil
		}
		if err != nil {
			return z, false, err
		}
		if tok.APIDomain != "" {
			z.APIDomain = tok.APIDomain
		}
		z.AccessToken = tok.AccessToken
		z.AccessExpiresAt, z.RefreshedAt = tok.Expiry, s.now()
		cred = zoho.Credential{APIDomain: z.APIDomain, AccessToken: tok.AccessToken}
		return z, true, nil
	})
	if dead {
		return zoho.Credential{}, ErrNeedsConsent
	}
	if err != nil {
		return zoho.Credential{}, fmt.Errorf("integration: token of company %d: %w", t.companyID, err)
	}
	return cred, nil
}

// refreshResult names a refresh's outcome for the metrics.
func refreshResult(err error) string {
	switch {
	case err == nil:
		return metrics.RefreshOK
	case errors.Is(err, zoho.ErrInvalidGrant):
		return metrics.RefreshInvalidGrant
	case errors.Is(err, zoho.ErrThrottled):
		return metrics.RefreshThrottled
	}
	return metrics.RefreshError
}

// Rejected forgets the access token Zoho refused (if it is still the stored
// one), so the next Token call refreshes.
func (t *tokens) Rejected(ctx context.Context, cred zoho.Credential) error {
	s := t.svc
	s.creds.drop(t.companyID)
	return s.store.LockZohoIntegration(ctx, t.companyID, func(z store.ZohoIntegration) (store.ZohoIntegration, bool, error) {
		if z.Status == store.ZohoNeedsConsent {
			return z, false, ErrNeedsConsent
		}
		if z.AccessToken != cred.AccessToken {
			return z, false, nil // already replaced
		}
		z.AccessToken = ""
		z.AccessExpiresAt = s.now().Add(-refreshMargin)
		return z, true, nil
	})
}

// current returns the stored access token when it is good for a while yet.
func (s *Service) current(z store.ZohoIntegration) (zoho.Credential, bool) {
	if z.AccessToken == "" || !z.AccessExpiresAt.After(s.now().Add(refreshMargin)) {
		return zoho.Credential{}, false
	}
	if z.Status != store.ZohoEnabled && z.Status != store.ZohoDisabling {
		return zoho.Credential{}, false
	}
	return zoho.Credential{APIDomain: z.APIDomain, AccessToken: z.AccessToken}, true
}

// credCache holds each company's current access token as read at a
// version of the company.
type credCache struct {
	mu sync.Mutex
	by map[int64]cachedCred
}

type cachedCred struct {
	cred    zoho.Credential
	version int64
	expires time.Time
}

// get returns the token cached at version that is still good at least
// until the given time.
func (c *credCache) get(companyID, version int64, until time.Time) (zoho.Credential, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.by[companyID]
	if !ok || e.version != version || !e.expires.After(until) {
		return zoho.Credential{}, false
	}
	return e.cred, true
}

func (c *credCache) put(companyID, version int64, cred zoho.Credential, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.by == nil {
		c.by = map[int64]cachedCred{}
	}
	c.by[companyID] = cachedCred{cred: cred, version: version, expires: expires}
}

func (c *credCache) drop(companyID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.by, companyID)
}
