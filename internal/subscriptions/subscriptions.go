// Package subscriptions keeps each company's call events flowing: every
// company with a Centrex connection and an enabled Zoho integration has one
// Xsi-Events subscription to the "Advanced Call" package of its group,
// delivered by HTTP contact to the gateway or, in channel mode, on a
// streaming event channel the gateway holds open (channel.go). A
// subscription is created, checked on every round (a cheap GET: one the
// Centrex forgot is replaced within a round), renewed at half-life,
// re-created when the Centrex lost or refused it, moved when its delivery
// changes, and dropped when the company no longer qualifies.
//
// Exactly one gateway instance manages a company's subscription (and holds
// its channel) at a time: it holds the company's "subscription" lease
// (store.TryLease), extends it on every round, and other instances skip the
// company while the lease lives. If the holder dies, the lease runs out
// (LeaseTTL) and another instance takes over at its next round.
//
// Events can be lost whenever they have nowhere to go: while the gateway or
// its database is down, while a subscription or a channel is being made
// again. The manager reports each such gap to Options.Gap (the call use
// case then re-reads the calls in progress): when it starts holding a
// company (start-up, takeover), after its store failed, and after every new
// subscription or channel. Every instance also reports a gap for every
// company when it starts.
package subscriptions

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/store"
)

// ApplicationID is sent with every subscription and channel.
const ApplicationID = "conecta-zoho-gateway"

// LeaseName names the per-company lease the manager holds.
const LeaseName = "subscription"

// Wake asks the manager to check the subscriptions now instead of at its
// next period. It is a channel with room for one signal: signals sent while
// one is pending merge into it, and Signal never blocks. The zero value (nil)
// wakes nobody.
type Wake chan struct{}

// NewWake returns a Wake for one Manager and its senders.
func NewWake() Wake { return make(Wake, 1) }

// Signal wakes the manager without waiting.
func (w Wake) Signal() {
	select {
	case w <- struct{}{}:
	default:
	}
}

// Options builds a Manager. Zero durations take the defaults in brackets.
type Options struct {
	Store *store.Store
	// PBX returns a company's Centrex client (required).
	PBX func(ctx context.Context, companyID int64) (centrex.PBX, error)
	// ContactURL returns the HTTP-contact URL the Centrex posts a company's
	// events to, from the company's events token (required).
	ContactURL func(token string) string
	// Intake applies an event read from a company's channel (the call use
	// case's ApplyEvent); its error is reported to the Centrex in the
	// event's acknowledgement (required for channel mode).
	Intake func(ctx context.Context, companyID int64, ev centrex.Event) error
	// Gap is told that a company's events may have been lost (see the
	// package comment); nil tells nobody.
	Gap func(companyID int64)
	// Wake makes the manager check now (an integration was enabled or
	// disabled, a subscription ended, a channel opened); nil means only the
	// period.
	Wake Wake
	// Instance names this gateway instance on the leases it holds
	// (store.InstanceID); its channel set is "gw-" + Instance.
	Instance string
	Logger   *slog.Logger
	// Now is the manager's clock [time.Now].
	Now func() time.Time
	// Check is how often subscriptions are checked [15s]; Expires the
	// lifetime asked for [24h, the Xsi specification's recommendation for
	// server applications; the Centrex's grant is used]; LeaseTTL how long
	// an instance owns a company without renewing its lease [40s]: another
	// instance takes over a dead one's companies within LeaseTTL + Check.
	Check, Expires, LeaseTTL time.Duration
	// Channel tunes the event channels of channel mode.
	Channel ChannelOptions
}

// Manager keeps the subscriptions of every company alive.
type Manager struct {
	o   Options
	log *slog.Logger

	mu        sync.Mutex
	started   bool                     // the first round has listed the companies
	held      map[int64]bool           // companies whose lease the last round held
	channels  map[int64]*channelRunner // channel mode: the channel runners
	abandoned []centrex.Channel        // channels Run left open, for Release
}

// New returns a Manager.
func New(o Options) *Manager {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.Check, 15*time.Second)
	def(&o.Expires, 24*time.Hour)
	def(&o.LeaseTTL, 40*time.Second)
	o.Channel.defaults()
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Instance == "" {
		o.Instance = store.InstanceID()
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Manager{o: o, log: log, held: map[int64]bool{}, channels: map[int64]*channelRunner{}}
}

// ChannelSetID is this instance's channel set: the same for every channel
// it opens, so that a reopened channel gets the set's subscriptions back.
func (m *Manager) ChannelSetID() string { return "gw-" + m.o.Instance }

// Run keeps every company's subscription alive until ctx ends, and then
// returns nil once the channels it holds are closed: every Check, and at
// once when woken. A company whose Centrex fails is logged and tried again
// next round. Run leaves its leases to run out (an instance that is stopped
// abruptly is taken over after LeaseTTL); Release hands them over at once.
func (m *Manager) Run(ctx context.Context) error {
	t := time.NewTicker(m.o.Check)
	defer t.Stop()
	defer m.stopChannels()
	for {
		m.ManageAll(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-m.o.Wake:
		}
	}
}

// Release ends what this instance holds, for a graceful stop after Run
// returned: it deletes the channels it had open and releases its leases,
// so another instance takes the companies over at its next round.
func (m *Manager) Release(ctx context.Context) error {
	m.stopChannels()
	errs := []error{m.deleteAbandoned(ctx)}
	m.mu.Lock()
	held := m.held
	m.held = map[int64]bool{}
	m.mu.Unlock()
	for id := range held {
		errs = append(errs, m.o.Store.ReleaseLease(ctx, LeaseName, id, m.o.Instance))
	}
	return errors.Join(errs...)
}

// ManageAll visits every company once: those with a Centrex connection and
// an enabled Zoho integration get a subscription (and in channel mode a
// channel); those that no longer qualify lose theirs. A company is handled
// only by the instance holding its lease; others skip it.
func (m *Manager) ManageAll(ctx context.Context) {
	want, drop, err := m.o.Store.SubscribableCompanies(ctx)
	if err != nil {
		if ctx.Err() == nil {
			m.log.Warn("subscriptions: list companies", "error", err)
			m.storeFailed(0)
		}
		return
	}
	m.mu.Lock()
	first := !m.started
	m.started = true
	m.mu.Unlock()
	if first {
		// Whatever happened while this instance was not running was not
		// seen by it: every instance recovers every company once at
		// start-up (recovery is harmless when another did it too).
		for _, c := range want {
			m.gap(c.CompanyID, "start-up")
		}
	}
	channelMode := map[int64]bool{}
	for _, c := range want {
		channelMode[c.CompanyID] = c.Events == store.EventsChannel
		if err := m.manage(ctx, c, true); err != nil && ctx.Err() == nil {
			m.log.Warn("subscriptions: subscribe", "company_id", c.CompanyID, "error", err)
		}
	}
	m.stopChannelsNotIn(channelMode)
	for _, id := range drop {
		if err := m.manage(ctx, store.Subscribable{CompanyID: id}, false); err != nil && ctx.Err() == nil {
			m.log.Warn("subscriptions: unsubscribe", "company_id", id, "error", err)
		}
	}
}

// storeFailed forgets which companies were held (all of them when id is 0):
// events of the time the store failed may be lost, so the next round that
// holds such a company reports a gap.
func (m *Manager) storeFailed(id int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if id == 0 {
		m.held = map[int64]bool{}
		return
	}
	delete(m.held, id)
}

// hold records that this round holds the company's lease and reports
// whether the previous one did not.
func (m *Manager) hold(id int64, held bool) (newly bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	was := m.held[id]
	if held {
		m.held[id] = true
	} else {
		delete(m.held, id)
	}
	return held && !was
}

// gap reports that events of the company may have been lost.
func (m *Manager) gap(id int64, why string) {
	m.log.Info("subscriptions: events may have been lost; recovering calls", "company_id", id, "why", why)
	if m.o.Gap != nil {
		m.o.Gap(id)
	}
}

// gone reports whether err says the Centrex no longer has the subscription
// (an XSP answers 403 to every refused subscription command).
func gone(err error) bool {
	return errors.Is(err, centrex.ErrNotFound) || errors.Is(err, centrex.ErrForbidden)
}

// manage brings one company's subscription to what it should be.
func (m *Manager) manage(ctx context.Context, c store.Subscribable, keep bool) error {
	id := c.CompanyID
	token, err := m.o.Store.EventToken(ctx, id)
	if err != nil {
		m.storeFailed(id)
		return err
	}
	ok, err := m.o.Store.TryLease(ctx, LeaseName, id, m.o.Instance, m.o.LeaseTTL)
	if err != nil {
		m.storeFailed(id)
		return err
	}
	if !ok {
		m.hold(id, false)
		m.stopChannel(id)
		return nil
	}
	if m.hold(id, true) && keep {
		m.gap(id, "this instance took the company over")
	}
	sub, err := m.o.Store.EventSubscriptionOf(ctx, id)
	if err != nil {
		m.storeFailed(id)
		return err
	}
	was := sub
	pbx, err := m.o.PBX(ctx, id)
	if err != nil {
		return m.save(ctx, was, sub, err)
	}
	if !keep {
		m.stopChannel(id)
		if sub.SubscriptionID != "" {
			if err := pbx.Unsubscribe(ctx, sub.SubscriptionID); err != nil && !gone(err) {
				return m.save(ctx, was, sub, err)
			}
		}
		sub.SubscriptionID, sub.Delivery, sub.RenewedAt, sub.ExpiresAt = "", "", time.Time{}, time.Time{}
		return m.save(ctx, was, sub, nil)
	}

	req := centrex.SubscribeRequest{Expires: m.o.Expires, ApplicationID: ApplicationID}
	if c.Events == store.EventsChannel {
		if m.o.Intake == nil {
			return m.save(ctx, was, sub, errors.New("subscriptions: channel mode without an intake"))
		}
		open, why := m.channelOpen(ctx, id)
		if !open {
			// The channel wakes the manager once it is open.
			return m.save(ctx, was, sub, why)
		}
		req.ChannelSetID = m.ChannelSetID()
	} else {
		m.stopChannel(id)
		req.HTTPContactURL = m.o.ContactURL(token)
	}
	delivery := deliveryOf(req)

	now := m.o.Now()
	if sub.SubscriptionID != "" && sub.Delivery != delivery {
		m.log.Info("subscriptions: delivery changed, subscribing again", "company_id", id, "from", sub.Delivery, "to", delivery)
		if err := pbx.Unsubscribe(ctx, sub.SubscriptionID); err != nil && !gone(err) {
			m.log.Warn("subscriptions: deleting the old subscription", "company_id", id, "error", err)
		}
		sub.SubscriptionID = ""
	}
	if sub.SubscriptionID != "" {
		if now.Before(sub.RenewAt()) {
			_, err := pbx.Subscription(ctx, sub.SubscriptionID)
			switch {
			case err == nil:
				return m.save(ctx, was, sub, nil)
			case !gone(err):
				return m.save(ctx, was, sub, err)
			}
			m.log.Info("subscriptions: the Centrex no longer has the subscription, subscribing again", "company_id", id)
			sub.SubscriptionID = ""
		} else {
			got, err := pbx.Renew(ctx, sub.SubscriptionID, m.o.Expires)
			switch {
			case err == nil:
				// An answer without expires keeps the lifetime the Centrex
				// granted before.
				life := got.Expires
				if life <= 0 {
					life = sub.ExpiresAt.Sub(sub.RenewedAt)
				}
				if life <= 0 {
					life = m.o.Expires
				}
				sub.RenewedAt, sub.ExpiresAt = now, now.Add(life)
				return m.save(ctx, was, sub, nil)
			case !gone(err):
				return m.save(ctx, was, sub, err)
			}
			m.log.Info("subscriptions: renewal refused, subscribing again", "company_id", id, "error", err)
			sub.SubscriptionID = ""
		}
	}
	got, err := pbx.Subscribe(ctx, req)
	if err != nil {
		sub.SubscriptionID, sub.Delivery = "", ""
		return m.save(ctx, was, sub, err)
	}
	life := got.Expires
	if life <= 0 {
		life = m.o.Expires
	}
	m.log.Info("subscriptions: subscribed to call events", "company_id", id, "delivery", delivery, "expires", life)
	sub.SubscriptionID, sub.Delivery, sub.RenewedAt, sub.ExpiresAt = got.ID, delivery, now, now.Add(life)
	if err := m.save(ctx, was, sub, nil); err != nil {
		return err
	}
	m.gap(id, "new subscription")
	return nil
}

// deliveryOf names where a subscription's events go, as stored and compared
// to notice a change: "channel:" and the channel set id, or "http:" and a
// digest of the contact URL, which holds the company's event token and so
// is neither stored nor logged.
func deliveryOf(req centrex.SubscribeRequest) string {
	if req.ChannelSetID != "" {
		return "channel:" + req.ChannelSetID
	}
	sum := sha256.Sum256([]byte(req.HTTPContactURL))
	return "http:" + hex.EncodeToString(sum[:16])
}

// save stores sub with cause as its last error when it differs from was,
// and returns cause (or the store's error).
func (m *Manager) save(ctx context.Context, was, sub store.EventSubscription, cause error) error {
	sub.LastError = ""
	if cause != nil {
		sub.LastError = cause.Error()
	}
	if sub == was {
		return cause
	}
	if err := m.o.Store.SaveSubscription(ctx, m.o.Instance, LeaseName, sub); err != nil {
		if !errors.Is(err, store.ErrLeaseHeld) {
			m.storeFailed(sub.CompanyID)
		}
		return errors.Join(cause, err)
	}
	return cause
}
