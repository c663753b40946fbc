package bridge

import (
	"context"
	"errors"
	"time"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/store"
)

// ApplicationID is sent with every subscription.
const ApplicationID = "conecta-zoho-gateway"

// runSubscriptions keeps every company's group subscription alive until
// ctx ends: every SubscriptionCheck, and at once when woken (a
// SubscriptionTerminated event arrived).
func (b *Bridge) runSubscriptions(ctx context.Context) {
	t := time.NewTicker(b.o.SubscriptionCheck)
	defer t.Stop()
	for {
		b.ManageSubscriptions(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-b.subs:
		}
	}
}

// ManageSubscriptions visits every company once: those with a Centrex
// connection and an enabled Zoho integration get a subscription (created,
// renewed at half-life, re-created when the Centrex lost it); those that
// no longer qualify lose theirs. A company is handled only by the instance
// holding its lease; others skip it.
func (b *Bridge) ManageSubscriptions(ctx context.Context) {
	want, drop, err := b.o.Store.SubscribableCompanies(ctx)
	if err != nil {
		if ctx.Err() == nil {
			b.log.Warn("bridge: subscriptions", "error", err)
		}
		return
	}
	for _, id := range want {
		if err := b.manage(ctx, id, true); err != nil && ctx.Err() == nil {
			b.log.Warn("bridge: subscription", "company_id", id, "error", err)
		}
	}
	for _, id := range drop {
		if err := b.manage(ctx, id, false); err != nil && ctx.Err() == nil {
			b.log.Warn("bridge: unsubscribe", "company_id", id, "error", err)
		}
	}
}

// manage brings one company's subscription to what it should be.
func (b *Bridge) manage(ctx context.Context, companyID int64, keep bool) error {
	token, err := b.o.Store.EventToken(ctx, b.o.Box, companyID)
	if err != nil {
		return err
	}
	now := time.Now()
	sub, err := b.o.Store.AcquireSubscriptionLease(ctx, companyID, b.o.Instance, now.Add(b.o.LeaseTTL))
	if errors.Is(err, store.ErrLeaseHeld) {
		return nil
	}
	if err != nil {
		return err
	}
	if keep && sub.SubscriptionID != "" && now.Before(sub.RenewAt()) {
		return nil
	}
	pbx, err := b.o.PBX(ctx, companyID)
	if err != nil {
		return b.saveSubscription(ctx, sub, err)
	}
	if !keep {
		err := pbx.Unsubscribe(ctx, sub.SubscriptionID)
		if err != nil && !errors.Is(err, centrex.ErrNotFound) {
			return b.saveSubscription(ctx, sub, err)
		}
		sub.SubscriptionID, sub.RenewedAt, sub.ExpiresAt = "", time.Time{}, time.Time{}
		return b.saveSubscription(ctx, sub, nil)
	}
	if sub.SubscriptionID != "" {
		got, err := pbx.Renew(ctx, sub.SubscriptionID, b.o.SubscriptionExpires)
		if err == nil {
			sub.RenewedAt, sub.ExpiresAt = now, now.Add(got.Expires)
			return b.saveSubscription(ctx, sub, nil)
		}
		if !errors.Is(err, centrex.ErrNotFound) {
			return b.saveSubscription(ctx, sub, err)
		}
		b.log.Info("bridge: subscription lost, subscribing again", "company_id", companyID)
	}
	got, err := pbx.Subscribe(ctx, centrex.SubscribeRequest{
		HTTPContactURL: b.o.PublicURL + EventsPath(token),
		Expires:        b.o.SubscriptionExpires,
		ApplicationID:  ApplicationID,
	})
	if err != nil {
		sub.SubscriptionID = ""
		return b.saveSubscription(ctx, sub, err)
	}
	b.log.Info("bridge: subscribed to call events", "company_id", companyID, "expires", got.Expires)
	sub.SubscriptionID, sub.RenewedAt, sub.ExpiresAt = got.ID, now, now.Add(got.Expires)
	return b.saveSubscription(ctx, sub, nil)
}

// saveSubscription stores sub with cause as its last error, and returns
// cause (or the store's error).
func (b *Bridge) saveSubscription(ctx context.Context, sub store.EventSubscription, cause error) error {
	sub.LastError = ""
	if cause != nil {
		sub.LastError = cause.Error()
	}
	if err := b.o.Store.SaveSubscription(ctx, b.o.Instance, sub); err != nil {
		return errors.Join(cause, err)
	}
	return cause
}
