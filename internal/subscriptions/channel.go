package subscriptions

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/conecta-zoho/gateway/internal/backoff"
	"github.com/conecta-zoho/gateway/internal/centrex"
)

// ChannelOptions tunes the event channels of channel mode. Zero values take
// the defaults in brackets.
type ChannelOptions struct {
	// Expires is the channel lifetime asked for [1h, the specification's
	// minimum]; the channel is refreshed at half the lifetime granted.
	Expires time.Duration
	// Heartbeat is how often the channel's heartbeat is sent [15s, half
	// the usual 30 s event timeout].
	Heartbeat time.Duration
	// RetryBase doubles, up to RetryMax, between attempts to reopen a
	// channel that failed [1s, 1m].
	RetryBase, RetryMax time.Duration
	// Timeout bounds one heartbeat, acknowledgement or refresh [10s].
	Timeout time.Duration
}

func (o *ChannelOptions) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.Expires, time.Hour)
	def(&o.Heartbeat, 15*time.Second)
	def(&o.RetryBase, time.Second)
	def(&o.RetryMax, time.Minute)
	def(&o.Timeout, 10*time.Second)
}

// channelRunner holds one company's event channel open, in this instance's
// channel set, for as long as the instance holds the company: it opens the
// channel, feeds its events to Options.Intake and acknowledges each one,
// sends the heartbeats, refreshes the channel before it expires, and when
// the stream drops, the XSP ends the channel or a heartbeat fails, opens it
// again (with backoff) in the same set, which gets the set's subscriptions
// back. Each opening is a gap: the events of the meantime may be lost.
type channelRunner struct {
	m      *Manager
	id     int64
	cancel context.CancelFunc
	done   chan struct{}

	mu      sync.Mutex
	open    centrex.Channel // the channel open now, nil between channels
	lastErr error           // why the last channel ended or did not open
}

// channelOpen starts the company's channel runner if it has none and
// reports whether its channel is open now, and if not, why the last one
// ended or failed to open.
func (m *Manager) channelOpen(ctx context.Context, id int64) (bool, error) {
	m.mu.Lock()
	r := m.channels[id]
	if r == nil {
		rctx, cancel := context.WithCancel(ctx)
		r = &channelRunner{m: m, id: id, cancel: cancel, done: make(chan struct{})}
		m.channels[id] = r
		go r.run(rctx)
	}
	m.mu.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.open != nil, r.lastErr
}

// Channels counts the companies whose event channel this instance holds:
// open now, or reopening (between channels: not open yet, or opening again
// after the stream dropped, the XSP ended it or a heartbeat failed).
func (m *Manager) Channels() (open, reopening int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range m.channels {
		r.mu.Lock()
		if r.open != nil {
			open++
		} else {
			reopening++
		}
		r.mu.Unlock()
	}
	return open, reopening
}

// stopChannel ends the company's channel, if this instance holds one:
// deleted at the XSP (the company moved to HTTP contact, left, or another
// instance holds it now).
func (m *Manager) stopChannel(id int64) {
	m.mu.Lock()
	r := m.channels[id]
	delete(m.channels, id)
	m.mu.Unlock()
	if r != nil {
		r.stop(true)
	}
}

// stopChannels ends the channel runners of every company without telling
// the XSP (Run is ending: Release deletes them if the stop is graceful).
func (m *Manager) stopChannels() {
	m.mu.Lock()
	runners := m.channels
	m.channels = map[int64]*channelRunner{}
	m.mu.Unlock()
	for _, r := range runners {
		if ch := r.stop(false); ch != nil {
			m.mu.Lock()
			m.abandoned = append(m.abandoned, ch)
			m.mu.Unlock()
		}
	}
}

// stopChannelsNotIn ends the runners of companies that are not in channel
// mode (not true in channelMode).
func (m *Manager) stopChannelsNotIn(channelMode map[int64]bool) {
	m.mu.Lock()
	var gone []int64
	for id := range m.channels {
		if !channelMode[id] {
			gone = append(gone, id)
		}
	}
	m.mu.Unlock()
	for _, id := range gone {
		m.stopChannel(id)
	}
}

// deleteAbandoned deletes the channels stopChannels left open at the XSP.
func (m *Manager) deleteAbandoned(ctx context.Context) error {
	m.mu.Lock()
	chs := m.abandoned
	m.abandoned = nil
	m.mu.Unlock()
	var errs []error
	for _, ch := range chs {
		errs = append(errs, ch.Close(ctx))
	}
	return errors.Join(errs...)
}

// stop ends the runner and waits for it; with remove it deletes the open
// channel at the XSP, otherwise it returns it (its stream closed).
func (r *channelRunner) stop(remove bool) centrex.Channel {
	r.mu.Lock()
	ch := r.open
	r.mu.Unlock()
	r.cancel()
	<-r.done
	if ch == nil {
		return nil
	}
	if remove {
		ctx, cancel := context.WithTimeout(context.Background(), r.m.o.Channel.Timeout)
		defer cancel()
		if err := ch.Close(ctx); err != nil {
			r.m.log.Warn("subscriptions: deleting the event channel", "company_id", r.id, "error", err)
		}
		return nil
	}
	return ch
}

// run keeps the channel open until ctx ends.
func (r *channelRunner) run(ctx context.Context) {
	defer close(r.done)
	o := r.m.o.Channel
	failures := 0
	for ctx.Err() == nil {
		began := time.Now()
		err := r.session(ctx)
		if ctx.Err() != nil {
			return
		}
		r.mu.Lock()
		r.lastErr = fmt.Errorf("event channel: %w", err)
		r.mu.Unlock()
		if time.Since(began) > o.RetryMax {
			failures = 0 // it was up for a while: start over
		}
		failures++
		wait := backoff.Delay(failures, o.RetryBase, o.RetryMax)
		r.m.log.Warn("subscriptions: event channel ended; opening it again", "company_id", r.id, "error", err,
			"attempt", failures, "in", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
}

// session opens one channel and serves it until it ends; it returns why.
func (r *channelRunner) session(ctx context.Context) error {
	m, o := r.m, r.m.o.Channel
	pbx, err := m.o.PBX(ctx, r.id)
	if err != nil {
		return err
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch, err := pbx.OpenChannel(sctx, centrex.ChannelRequest{ChannelSetID: m.ChannelSetID(),
		ApplicationID: ApplicationID, Expires: o.Expires})
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	m.log.Info("subscriptions: event channel open", "company_id", r.id, "channel_id", ch.ID(), "expires", ch.Expires())
	r.mu.Lock()
	r.open, r.lastErr = ch, nil
	r.mu.Unlock()
	ended := false
	defer func() {
		r.mu.Lock()
		r.open = nil
		r.mu.Unlock()
		if ended && ctx.Err() == nil {
			// Tell the XSP, which may not know the stream is gone, so that it
			// stops sending on it (best effort: it may be unreachable).
			dctx, dcancel := context.WithTimeout(context.WithoutCancel(ctx), o.Timeout)
			_ = ch.Close(dctx)
			dcancel()
		}
	}()
	if m.o.Wake != nil {
		m.o.Wake.Signal() // the manager attaches the subscription to the set
	}
	m.gap(r.id, "event channel opened")

	events := make(chan channelItem)
	go func() {
		for {
			ev, err := ch.Next(sctx)
			select {
			case events <- channelItem{ev, err}:
			case <-sctx.Done():
				return
			}
			if err != nil || ev.Kind == centrex.EventChannelTerminated {
				return
			}
		}
	}()
	beat := time.NewTicker(o.Heartbeat)
	defer beat.Stop()
	life := ch.Expires()
	if life <= 0 {
		life = o.Expires
	}
	refresh := time.NewTimer(life / 2)
	defer refresh.Stop()
	bounded := func() (context.Context, context.CancelFunc) { return context.WithTimeout(sctx, o.Timeout) }
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-beat.C:
			bctx, bcancel := bounded()
			err := ch.Heartbeat(bctx)
			bcancel()
			if err != nil {
				ended = true
				return fmt.Errorf("heartbeat: %w", err)
			}
		case <-refresh.C:
			rctx, rcancel := bounded()
			got, err := ch.Refresh(rctx, o.Expires)
			rcancel()
			switch {
			case errors.Is(err, centrex.ErrNotFound):
				ended = true
				return fmt.Errorf("refresh: %w", err)
			case err != nil:
				m.log.Warn("subscriptions: refreshing the event channel failed; will retry", "company_id", r.id, "error", err)
				refresh.Reset(min(life/4, time.Minute))
			default:
				if got > 0 {
					life = got
				}
				refresh.Reset(life / 2)
			}
		case it := <-events:
			if it.err != nil {
				ended = true
				return fmt.Errorf("stream: %w", it.err)
			}
			if it.ev.Kind == centrex.EventChannelTerminated {
				return fmt.Errorf("the XSP ended the channel: %s", it.ev.Reason)
			}
			r.deliver(sctx, ch, it.ev)
		}
	}
}

// channelItem is one result of Channel.Next.
type channelItem struct {
	ev  centrex.Event
	err error
}

// deliver applies one event and acknowledges it: 200 once it is applied
// (its state and notifications committed), 500 when it could not be (the
// intake then recovers the company's calls once it can).
func (r *channelRunner) deliver(ctx context.Context, ch centrex.Channel, ev centrex.Event) {
	m := r.m
	status, reason := http.StatusOK, "OK"
	if err := m.o.Intake(ctx, r.id, ev); err != nil {
		m.log.Warn("subscriptions: channel event not applied", "company_id", r.id, "event_id", ev.ID, "error", err)
		status, reason = http.StatusInternalServerError, "Internal Error"
	}
	if ev.ID == "" {
		return
	}
	actx, cancel := context.WithTimeout(ctx, m.o.Channel.Timeout)
	defer cancel()
	if err := ch.Ack(actx, ev.ID, status, reason); err != nil {
		m.log.Warn("subscriptions: acknowledging a channel event failed", "company_id", r.id, "event_id", ev.ID, "error", err)
	}
}
