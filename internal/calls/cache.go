package calls

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/conecta-zoho/gateway/internal/cachelease"
	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/store"
)

// ErrUnknownToken means an events token names no company.
var ErrUnknownToken = errors.New("calls: unknown events token")

// cache keeps, per company, what every event and click-to-dial would
// otherwise read: the events token, the links (by the seat an event names
// and by id) and the Centrex client. Each entry holds the company's cache
// version (store.CompanyVersion) read before anything in it, and is used
// only once that version is confirmed current: by the event group's
// transaction, whose first statement reads the versions of the group's
// companies, or for a click-to-dial by the instance's lease
// (internal/cachelease: no newer version notified, and every change
// fenced) or else one primary-key read. A change made on any instance (an
// unlink, a link switched off, a seat gone, a new token or Centrex
// credential) bumps the version in its own transaction, so the next use
// after it commits sees the entry stale and reads again.
type cache struct {
	st    *store.Store
	pbx   func(ctx context.Context, companyID int64) (centrex.PBX, error)
	lease *cachelease.Lease // nil: every click-to-dial reads the version

	mu      sync.Mutex
	byID    map[int64]*entry
	byToken map[[sha256.Size]byte]int64
}

// entry is one company's cached state at one version. Its maps fill
// lazily; an entry is never changed back to an older state, only replaced.
type entry struct {
	companyID int64
	version   int64
	tokenHash []byte // nil: the company has no events token
	// epoch is the lease's epoch (cachelease.Lease.Epoch) when version was
	// last read and found current.
	epoch atomic.Uint64

	mu     sync.Mutex
	links  map[string]linkLookup // by event target (seat user id or number)
	byLink map[int64]linkLookup  // by link id
	client centrex.PBX
}

// linkLookup is a link found, or the error (store.ErrNotFound,
// store.ErrConflict) of looking for it.
type linkLookup struct {
	link store.Link
	err  error
}

func newCache(st *store.Store, pbx func(ctx context.Context, companyID int64) (centrex.PBX, error), lease *cachelease.Lease) *cache {
	return &cache{st: st, pbx: pbx, lease: lease, byID: map[int64]*entry{}, byToken: map[[sha256.Size]byte]int64{}}
}

// get returns the company's entry as cached, unconfirmed (load on a miss).
func (c *cache) get(ctx context.Context, companyID int64) (*entry, error) {
	c.mu.Lock()
	e := c.byID[companyID]
	c.mu.Unlock()
	if e != nil {
		return e, nil
	}
	return c.load(ctx, companyID)
}

// current returns the company's entry confirmed current: by the lease
// when it vouches for the entry, or else by reading its version (one
// primary-key read), reloading the entry when it is stale.
func (c *cache) current(ctx context.Context, companyID int64) (*entry, error) {
	c.mu.Lock()
	e := c.byID[companyID]
	c.mu.Unlock()
	if e != nil && c.lease.Fresh(companyID, e.version, e.epoch.Load()) {
		return e, nil
	}
	epoch := c.lease.Epoch() // before the read, so that a change after it is notified
	v, err := c.st.CompanyVersion(ctx, companyID)
	if err != nil {
		return nil, err
	}
	if e != nil && e.version == v {
		e.epoch.Store(epoch)
		return e, nil
	}
	return c.loadAt(ctx, companyID, v, epoch)
}

// load reads the company's version, then its token, into a new entry.
func (c *cache) load(ctx context.Context, companyID int64) (*entry, error) {
	epoch := c.lease.Epoch()
	v, err := c.st.CompanyVersion(ctx, companyID)
	if err != nil {
		return nil, err
	}
	return c.loadAt(ctx, companyID, v, epoch)
}

// loadAt reads the company's token into a new entry of version v, read
// just before (so that a change after it makes the entry stale, never the
// other way round) under the lease's epoch.
func (c *cache) loadAt(ctx context.Context, companyID, v int64, epoch uint64) (*entry, error) {
	h, err := c.st.EventTokenHash(ctx, companyID)
	if err != nil {
		return nil, err
	}
	e := &entry{companyID: companyID, version: v, tokenHash: h,
		links: map[string]linkLookup{}, byLink: map[int64]linkLookup{}}
	e.epoch.Store(epoch)
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.byID[companyID]; old != nil && old.version > v {
		return old, nil // a newer one came meanwhile
	}
	if old := c.byID[companyID]; old != nil && old.tokenHash != nil {
		delete(c.byToken, [sha256.Size]byte(old.tokenHash))
	}
	c.byID[companyID] = e
	if len(h) == sha256.Size {
		c.byToken[[sha256.Size]byte(h)] = companyID
	}
	return e, nil
}

// drop forgets the company's entry if it is still e (found stale).
func (c *cache) drop(e *entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byID[e.companyID] == e {
		delete(c.byID, e.companyID)
		if len(e.tokenHash) == sha256.Size {
			delete(c.byToken, [sha256.Size]byte(e.tokenHash))
		}
	}
}

// byEventToken returns the entry of the company whose events token is
// token, unconfirmed: from the cache, or else found in the database.
func (c *cache) byEventToken(ctx context.Context, token string) (*entry, error) {
	if token == "" || len(token) > 128 {
		return nil, ErrUnknownToken
	}
	sum := sha256.Sum256([]byte(token))
	c.mu.Lock()
	id, ok := c.byToken[sum]
	e := c.byID[id]
	c.mu.Unlock()
	if ok && e != nil && subtle.ConstantTimeCompare(e.tokenHash, sum[:]) == 1 {
		return e, nil
	}
	id, err := c.st.CompanyByEventToken(ctx, token)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnknownToken
	}
	if err != nil {
		return nil, err
	}
	if e, err = c.load(ctx, id); err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare(e.tokenHash, sum[:]) != 1 {
		return nil, ErrUnknownToken // it changed between the two reads
	}
	return e, nil
}

// hasToken reports whether the entry's company has token as its events
// token.
func (e *entry) hasToken(token string) bool {
	sum := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(e.tokenHash, sum[:]) == 1
}

// linkForEvent is the link of the seat an event names
// (store.LinkForDial), cached.
func (e *entry) linkForEvent(ctx context.Context, st *store.Store, target string) (store.Link, error) {
	e.mu.Lock()
	l, ok := e.links[target]
	e.mu.Unlock()
	if ok {
		return l.link, l.err
	}
	link, err := st.LinkForDial(ctx, e.companyID, target)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return store.Link{}, err // a failure, or a number several seats share: not kept
	}
	e.mu.Lock()
	e.links[target] = linkLookup{link, err}
	e.mu.Unlock()
	return link, err
}

// linkByID is the company's link linkID (store.LinkByID), cached.
func (e *entry) linkByID(ctx context.Context, st *store.Store, linkID int64) (store.Link, error) {
	e.mu.Lock()
	l, ok := e.byLink[linkID]
	e.mu.Unlock()
	if ok {
		return l.link, l.err
	}
	link, err := st.LinkByID(ctx, e.companyID, linkID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return store.Link{}, err
	}
	e.mu.Lock()
	e.byLink[linkID] = linkLookup{link, err}
	e.mu.Unlock()
	return link, err
}

// centrex is the company's Centrex client, cached.
func (e *entry) centrex(ctx context.Context, pbx func(ctx context.Context, companyID int64) (centrex.PBX, error)) (centrex.PBX, error) {
	e.mu.Lock()
	cl := e.client
	e.mu.Unlock()
	if cl != nil {
		return cl, nil
	}
	cl, err := pbx(ctx, e.companyID)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.client = cl
	e.mu.Unlock()
	return cl, nil
}
