// Package cachelease decides when this instance may answer from its
// caches without reading the company's version first (what click-to-dial
// does on every request otherwise), while keeping the promise that a
// change made on any instance (an unlink, a link switched off, a seat
// gone, a new Centrex credential) counts at once on all of them.
//
// The protocol (migration 0079, store.FenceCaches):
//   - A dedicated connection LISTENs on the company versions' channel
//     (the triggers that bump a company's version notify its new version)
//     and on the barriers' channel. Each (re)connection starts a new epoch;
//     what was cached before it is read again before it is trusted.
//   - The instance holds a lease in cache_instances, renewed by acking a
//     barrier on that same connection: its own, sent every RenewEvery
//     through the pool, or a writer's. An ack says "every notification
//     committed before this barrier has reached me".
//   - A writer, after committing its change, sends a barrier and waits
//     until every instance whose lease has not lapsed acked it. By then each
//     has heard of the change (its entry is older than the version
//     notified) or has stopped trusting: an instance trusts for
//     store.CacheLease minus a margin from the moment it sent its last
//     successful ack, and the database keeps its lease for store.CacheLease
//     from when it received the ack, which is later.
//
// So a click-to-dial that arrives after the administrator saw "unlinked"
// is refused on every instance, with no read on its path; an instance cut
// off from the database stops trusting within the lease and reads again.
package cachelease

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/conecta-zoho/gateway/internal/backoff"
	"github.com/conecta-zoho/gateway/internal/store"
)

// ApplicationName names the lease's LISTEN connection in
// pg_stat_activity.
const ApplicationName = "gateway cache lease"

// margin is how much sooner than the database the instance stops
// trusting: room for the two clocks' rates to differ over one lease.
const margin = time.Second

// Options configure a Lease.
type Options struct {
	Store  *store.Store
	Logger *slog.Logger
	// Now is the clock of the trust deadline [time.Now]: a monotonic
	// reading, so that a wall clock stepped back does not extend it.
	Now func() time.Time
	// RenewEvery is how often the instance sends its own barrier [1s]. A
	// connection that has not delivered one for three periods is taken for
	// dead and replaced.
	RenewEvery time.Duration
}

// Lease is this instance's standing to trust its caches. Its zero value
// and nil trust nothing; Run establishes and keeps it. It is safe for
// concurrent use.
type Lease struct {
	o   Options
	log *slog.Logger

	mu      sync.Mutex
	epoch   uint64    // of the current LISTEN connection; 0 before the first
	live    bool      // the LISTEN connection of epoch is up
	until   time.Time // trusted until (o.Now's clock)
	lastOwn time.Time // when the instance's own barrier was last acked
	floors  map[int64]int64
	// instance is the row in cache_instances; 0 when none.
	instance int64
}

// New returns a Lease that trusts nothing until Run has acked a barrier.
func New(o Options) *Lease {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RenewEvery <= 0 {
		o.RenewEvery = time.Second
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Lease{o: o, log: log, floors: map[int64]int64{}}
}

// Epoch is the stamp for what is read from now on: take it before reading
// a company's version, and pass it to Fresh with that version. 0 (no LISTEN
// connection) is never fresh.
func (l *Lease) Epoch() uint64 {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.live {
		return 0
	}
	return l.epoch
}

// Fresh reports whether what was cached for companyID at version, read
// under epoch, may be used without reading the version again: the lease
// is held, the LISTEN connection is the one of epoch, and no newer version
// of the company has been notified.
func (l *Lease) Fresh(companyID, version int64, epoch uint64) bool {
	if l == nil || epoch == 0 {
		return false
	}
	now := l.o.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.live && epoch == l.epoch && now.Before(l.until) && version >= l.floors[companyID]
}

// Trusted reports whether the lease vouches for anything read under its
// current epoch now (what gateway_cache_lease_trusted exports).
func (l *Lease) Trusted() bool { return l.Fresh(0, 0, l.Epoch()) }

// Run holds the lease until ctx ends: it registers the instance, keeps a
// LISTEN connection (replacing it after a failure, waiting backoff.Delay
// between attempts) and renews. It returns nil once ctx ended, after
// removing the instance's row so that no writer waits for it.
func (l *Lease) Run(ctx context.Context) error {
	defer l.stop()
	failures := 0
	for ctx.Err() == nil {
		start := l.o.Now()
		err := l.session(ctx)
		l.lose()
		if ctx.Err() != nil {
			break
		}
		if errors.Is(err, store.ErrNotFound) {
			l.mu.Lock()
			l.instance = 0 // the row was removed: register again
			l.mu.Unlock()
		}
		if l.o.Now().Sub(start) > time.Minute {
			failures = 0
		}
		failures++
		l.log.Warn("cachelease: caches read again until the lease is back", "error", err, "attempt", failures)
		if !backoff.Sleep(ctx, backoff.Delay(failures, time.Second, 30*time.Second)) {
			break
		}
	}
	return nil
}

// session registers the instance if needed, opens and LISTENs on a
// dedicated connection, and acks barriers until the connection fails, the
// instance's own barriers stop arriving, or ctx ends.
func (l *Lease) session(ctx context.Context) error {
	l.mu.Lock()
	id := l.instance
	l.mu.Unlock()
	if id == 0 {
		var err error
		if id, err = l.o.Store.RegisterCacheInstance(ctx); err != nil {
			return err
		}
		l.mu.Lock()
		l.instance = id
		l.mu.Unlock()
	}
	cfg := l.o.Store.Pool().Config().ConnConfig.Copy()
	cfg.RuntimeParams["application_name"] = ApplicationName
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+store.ChannelCompanyVersions+"; LISTEN "+store.ChannelCacheBarriers); err != nil {
		return err
	}
	sctx, cancel := context.WithCancelCause(ctx)
	l.mu.Lock()
	l.epoch++
	l.live = true
	l.lastOwn = l.o.Now()
	l.mu.Unlock()
	done := make(chan struct{})
	defer func() { cancel(nil); <-done }()
	go func() {
		defer close(done)
		l.renew(sctx, cancel, id)
	}()
	for {
		n, err := conn.WaitForNotification(sctx)
		if err != nil {
			if cause := context.Cause(sctx); cause != nil && ctx.Err() == nil {
				return cause
			}
			return err
		}
		switch n.Channel {
		case store.ChannelCompanyVersions:
			company, version, err := store.ParseCompanyVersion(n.Payload)
			if err != nil {
				// Not ours to understand: the safe reading is that anything changed.
				l.log.Error("cachelease: unreadable notification", "error", err)
				return err
			}
			l.mu.Lock()
			l.floors[company] = max(l.floors[company], version)
			l.mu.Unlock()
		case store.ChannelCacheBarriers:
			barrier, to, err := store.ParseCacheBarrier(n.Payload)
			if err != nil {
				l.log.Error("cachelease: unreadable barrier", "error", err)
				continue // an unreadable barrier is acked by the next one
			}
			if to != 0 && to != id {
				continue // another instance's renewal
			}
			sent := l.o.Now()
			if err := store.AckCacheBarrier(sctx, conn, id, barrier); err != nil {
				return err
			}
			l.mu.Lock()
			if until := sent.Add(store.CacheLease - margin); until.After(l.until) {
				l.until = until
			}
			if to == id {
				l.lastOwn = l.o.Now()
			}
			l.mu.Unlock()
		}
	}
}

// errSilent ends a session whose own barriers stopped arriving.
var errSilent = errors.New("cachelease: the LISTEN connection delivered none of the instance's barriers for three periods")

// renew sends the instance's own barrier every RenewEvery, and ends the
// session (cancel) when none was acked for three periods.
func (l *Lease) renew(ctx context.Context, cancel context.CancelCauseFunc, id int64) {
	t := time.NewTicker(l.o.RenewEvery)
	defer t.Stop()
	for {
		if _, err := l.o.Store.SendCacheBarrier(ctx, id); err != nil && ctx.Err() == nil {
			l.log.Warn("cachelease: renewal not sent", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		l.mu.Lock()
		silent := l.o.Now().Sub(l.lastOwn) > 3*l.o.RenewEvery
		l.mu.Unlock()
		if silent {
			cancel(errSilent)
			return
		}
	}
}

// lose stops trusting at once: the LISTEN connection is gone.
func (l *Lease) lose() {
	l.mu.Lock()
	l.live = false
	l.until = time.Time{}
	l.mu.Unlock()
}

// stop gives up the lease: trusted no more, and the row removed.
func (l *Lease) stop() {
	l.lose()
	l.mu.Lock()
	id := l.instance
	l.instance = 0
	l.mu.Unlock()
	if id == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := l.o.Store.DropCacheInstance(ctx, id); err != nil {
		l.log.Warn("cachelease: instance row left; writers wait for its lease to lapse", "error", err)
	}
}
