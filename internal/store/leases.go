package store

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"time"
)

// ErrLeaseHeld means another instance holds the lease a write needed.
var ErrLeaseHeld = errors.New("store: lease held by another instance")

// InstanceID names one running gateway process on the leases it holds (and
// the outbox rows it claims): host name, process id and a random suffix, so
// that two processes, or a process restarted with the same pid, never share
// a name. Call it once per process and pass the result on.
func InstanceID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "gateway"
	}
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), rand.Text()[:8])
}

// TryLease takes, or extends, the lease (name, companyID) for owner until
// ttl from now, in one short statement: "one instance at a time" for a
// company's background work (its seat sync, its event subscription). It
// reports false, and changes nothing, while another owner's lease has not
// run out. No transaction stays open: the holder does its work, network
// calls included, without one, and either releases the lease or lets it run
// out (an instance that dies loses it after ttl).
func (s *Store) TryLease(ctx context.Context, name string, companyID int64, owner string, ttl time.Duration) (bool, error) {
	now := s.now()
	tag, err := s.pool.Exec(ctx, `
		INSERT INTO leases AS l (name, company_id, owner, until) VALUES ($1, $2, $3, $4)
		ON CONFLICT (name, company_id) DO UPDATE SET owner = excluded.owner, until = excluded.until
		WHERE l.owner = excluded.owner OR l.until <= $5`,
		name, companyID, owner, now.Add(ttl), now)
	if err != nil {
		return false, fmt.Errorf("store: %s lease of company %d: %w", name, companyID, err)
	}
	return tag.RowsAffected() == 1, nil
}

// ReleaseLease ends owner's lease (name, companyID) so another instance may
// take it at once; it does nothing when owner does not hold it.
func (s *Store) ReleaseLease(ctx context.Context, name string, companyID int64, owner string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM leases WHERE name = $1 AND company_id = $2 AND owner = $3`, name, companyID, owner)
	if err != nil {
		return fmt.Errorf("store: release %s lease of company %d: %w", name, companyID, err)
	}
	return nil
}

// WithLease runs fn while owner holds the lease (name, companyID) taken for
// ttl, and releases it afterwards; when another instance holds it, fn does
// not run and ran is false. fn's error is returned as is. fn runs with no
// transaction open: it does its own short ones through the store.
func (s *Store) WithLease(ctx context.Context, name string, companyID int64, owner string, ttl time.Duration, fn func(ctx context.Context) error) (ran bool, err error) {
	ok, err := s.TryLease(ctx, name, companyID, owner, ttl)
	if err != nil || !ok {
		return false, err
	}
	defer func() {
		if rerr := s.ReleaseLease(context.WithoutCancel(ctx), name, companyID, owner); rerr != nil {
			err = errors.Join(err, rerr)
		}
	}()
	return true, fn(ctx)
}
