package zohosim

import (
	"crypto/rand"
	"encoding/hex"
	"sort"
	"time"
)

// Lifetimes and limits the simulator enforces (shared reference §2.8).
const (
	CodeLifetime          = 2 * time.Minute
	AccessTokenLifetime   = time.Hour
	MaxRefreshTokens      = 20 // per user per client
	MaxAccessPerRefresh   = 15 // live access tokens per refresh token
	RefreshLimit          = 10 // refreshes per RefreshWindow per refresh token
	RefreshWindow         = 10 * time.Minute
	defaultAccessTokenTTL = 3600
)

type grant struct {
	user        *user
	clientID    string
	redirectURI string
	scope       string
	offline     bool
	dc          string
	expires     time.Time
}

type refreshToken struct {
	token   string
	user    *user
	scope   string
	dc      string
	created time.Time
	uses    []time.Time // successful refreshes, for the throttle
}

type accessToken struct {
	token   string
	user    *user
	scope   string
	dc      string
	parent  string // refresh token, "" for online grants
	issued  time.Time
	expires time.Time
}

// newSecret returns a Zoho-looking token "1000.<hex>.<hex>".
func newSecret() string {
	a, b := make([]byte, 16), make([]byte, 16)
	_, _ = rand.Read(a)
	_, _ = rand.Read(b)
	return "1000." + hex.EncodeToString(a) + "." + hex.EncodeToString(b)
}

// issueAccessLocked creates an access token, evicting the oldest of the
// same refresh token beyond MaxAccessPerRefresh.
func (s *Sim) issueAccessLocked(u *user, scope, dc, parent string, now time.Time) *accessToken {
	at := &accessToken{token: newSecret(), user: u, scope: scope, dc: dc, parent: parent, issued: now, expires: now.Add(AccessTokenLifetime)}
	s.access[at.token] = at
	if parent != "" {
		var siblings []*accessToken
		for _, t := range s.access {
			if t.parent == parent {
				siblings = append(siblings, t)
			}
		}
		sort.Slice(siblings, func(i, j int) bool { return siblings[i].issued.Before(siblings[j].issued) })
		for len(siblings) > MaxAccessPerRefresh {
			delete(s.access, siblings[0].token)
			siblings = siblings[1:]
		}
	}
	return at
}

// issueRefreshLocked creates a refresh token, evicting the user's oldest
// beyond MaxRefreshTokens (with its access tokens).
func (s *Sim) issueRefreshLocked(u *user, scope, dc string, now time.Time) *refreshToken {
	rt := &refreshToken{token: newSecret(), user: u, scope: scope, dc: dc, created: now}
	s.refresh[rt.token] = rt
	var mine []*refreshToken
	for _, t := range s.refresh {
		if t.user == u {
			mine = append(mine, t)
		}
	}
	sort.Slice(mine, func(i, j int) bool { return mine[i].created.Before(mine[j].created) })
	for len(mine) > MaxRefreshTokens {
		s.revokeRefreshLocked(mine[0].token)
		mine = mine[1:]
	}
	return rt
}

// revokeRefreshLocked deletes a refresh token and its access tokens.
func (s *Sim) revokeRefreshLocked(token string) {
	delete(s.refresh, token)
	for k, t := range s.access {
		if t.parent == token {
			delete(s.access, k)
		}
	}
}

// RefreshTokenCount returns how many live refresh tokens the user with this
// e-mail holds.
func (s *Sim) RefreshTokenCount(email string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, t := range s.refresh {
		if t.user.email == email {
			n++
		}
	}
	return n
}

// AccessTokenValid reports whether token is a live access token.
func (s *Sim) AccessTokenValid(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	at, ok := s.access[token]
	return ok && s.nowLocked().Before(at.expires)
}
