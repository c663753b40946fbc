package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/conecta-zoho/gateway/internal/backoff"
)

// CacheLease is how long an instance's caches may be used without reading
// company_versions after the instance last acked a barrier
// (AckCacheBarrier): what FenceCaches waits at most for an instance that
// stopped answering. An instance stops trusting its caches earlier, by
// the margin of internal/invalidate.
const CacheLease = 5 * time.Second

// The channels of the caches' invalidation (migration 0079): company
// versions bumped, and barriers.
const (
	ChannelCompanyVersions = "company_versions"
	ChannelCacheBarriers   = "cache_barriers"
)

// RegisterCacheInstance adds a row for an instance whose caches will be
// trusted under a lease, with a lease already lapsed (it is trusted only
// once it acks a barrier), and returns its id. Rows whose lease lapsed
// more than an hour ago (instances gone without saying) are removed.
func (s *Store) RegisterCacheInstance(ctx context.Context) (int64, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `
		WITH gone AS (DELETE FROM cache_instances WHERE lease_until < now() - interval '1 hour')
		INSERT INTO cache_instances (lease_until) VALUES (now()) RETURNING id`).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: register cache instance: %w", err)
	}
	return id, nil
}

// DropCacheInstance removes the instance's row: writers stop waiting for
// it. It is for an instance whose caches are no longer trusted.
func (s *Store) DropCacheInstance(ctx context.Context, id int64) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM cache_instances WHERE id = $1`, id); err != nil {
		return fmt.Errorf("store: drop cache instance %d: %w", id, err)
	}
	return nil
}

// SendCacheBarrier draws the next barrier and sends it on
// ChannelCacheBarriers, its payload "<barrier>" or, for an instance's own
// renewal, "<barrier> <instance id>" (instance > 0): instances ack every
// barrier of the first kind and only their own of the second.
func (s *Store) SendCacheBarrier(ctx context.Context, instance int64) (int64, error) {
	var b int64
	err := s.pool.QueryRow(ctx, `
		SELECT b, pg_notify('cache_barriers', CASE WHEN $1 > 0 THEN b || ' ' || $1 ELSE b::text END)
		FROM nextval('cache_barriers') b`, instance).Scan(&b, nil)
	if err != nil {
		return 0, fmt.Errorf("store: send cache barrier: %w", err)
	}
	return b, nil
}

// ParseCacheBarrier reads a ChannelCacheBarriers payload: the barrier and
// the instance it is addressed to (0: every instance).
func ParseCacheBarrier(payload string) (barrier, instance int64, err error) {
	b, inst, two := strings.Cut(payload, " ")
	if barrier, err = strconv.ParseInt(b, 10, 64); err != nil || barrier <= 0 {
		return 0, 0, fmt.Errorf("store: cache barrier %q: not a barrier", payload)
	}
	if two {
		if instance, err = strconv.ParseInt(inst, 10, 64); err != nil || instance <= 0 {
			return 0, 0, fmt.Errorf("store: cache barrier %q: not an instance", payload)
		}
	}
	return barrier, instance, nil
}

// ParseCompanyVersion reads a ChannelCompanyVersions payload.
func ParseCompanyVersion(payload string) (companyID, version int64, err error) {
	c, v, two := strings.Cut(payload, " ")
	companyID, err1 := strconv.ParseInt(c, 10, 64)
	version, err2 := strconv.ParseInt(v, 10, 64)
	if !two || err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("store: company version %q: want \"<company> <version>\"", payload)
	}
	return companyID, version, nil
}

// AckCacheBarrier records, on conn (the instance's LISTEN connection, so
// that an ack also proves it alive), that the instance received barrier
// and every notification before it, and renews its lease to CacheLease
// from now (the database's clock). It returns ErrNotFound when the
// instance's row is gone.
func AckCacheBarrier(ctx context.Context, conn *pgx.Conn, instance, barrier int64) error {
	tag, err := conn.Exec(ctx, `
		UPDATE cache_instances SET acked = greatest(acked, $2), lease_until = now() + $3::interval
		WHERE id = $1`, instance, barrier, CacheLease.String())
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: ack cache barrier %d of instance %d: %w", barrier, instance, err)
	}
	return nil
}

// FenceCaches returns once no instance can answer from what its caches
// held before the caller's change, committed before the call: it sends a
// barrier and waits until every instance whose lease has not lapsed has
// acked it. An instance that does not answer is waited for until its
// lease lapses (CacheLease at most after its last ack). Should the
// database fail meanwhile, it waits CacheLease (no lease can outlive it),
// and a cancelled ctx ends the wait. Changes that must count at once on
// every instance (an unlink, a link switched off, a seat gone, a new
// Centrex credential) call it after their commit.
func (s *Store) FenceCaches(ctx context.Context) {
	b, err := s.SendCacheBarrier(ctx, 0)
	wait := time.Millisecond
	for err == nil {
		var pending bool
		err = s.pool.QueryRow(ctx, `
			SELECT EXISTS (SELECT FROM cache_instances WHERE acked < $1 AND lease_until > now())`, b).Scan(&pending)
		if err != nil || !pending {
			break
		}
		if !backoff.Sleep(ctx, wait) {
			return
		}
		wait = min(2*wait, 50*time.Millisecond)
	}
	if err != nil && ctx.Err() == nil {
		backoff.Sleep(ctx, CacheLease)
	}
}
