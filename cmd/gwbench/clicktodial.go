package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/conecta-zoho/gateway/internal/zohoapi"
)

const (
	dialCompanies = 10
	dialSeats     = 10
	dialWarmup    = 100
	dialRequests  = 2000 // per side
	dialNumber    = "+34612345678"
	// Half of each company's seats take click-to-dial requests; the other
	// half carry a stream of incoming calls meanwhile, each seat a call
	// (three events) then this pause: about 150 events per second.
	dialStreamPause = time.Second
)

// benchClickToDial measures the time the gateway adds between Zoho's
// click-to-dial request and the Xsi calls/new request it causes: the clock
// starts when the request is sent as Zoho sends it (form with tonumber, the
// registered parameters and the per-link secret) and stops when calls/new
// reaches the Xsi simulator. The baseline is a minimal relay in a process
// of its own, as the gateway is (relay.go): an HTTP handler that reads the
// same form and forwards it, as calls/new with the company's credentials,
// to the same Xsi endpoint. Requests go one at a time,
// alternating gateway and relay, over kept-alive connections, while events
// flow: half of the seats carry a stream of incoming calls, whose
// notifications are checked (none lost, in order) at the end.
func benchClickToDial(ctx context.Context, b *bench) error {
	w, err := newWorld(ctx, b, "gwbench_clicktodial", dialCompanies, dialSeats)
	if err != nil {
		return err
	}
	defer w.Close()

	s := newStream(w, dialStreamPause)
	w.setHooks(nil, s.notified)
	defer w.setHooks(nil, nil)
	sctx, stopStream := context.WithCancel(ctx)
	var streams sync.WaitGroup
	defer func() { stopStream(); streams.Wait() }()
	for _, c := range w.companies {
		for _, seat := range c.seats[dialSeats/2:] {
			streams.Go(func() { s.run(sctx, seat.userID) })
		}
	}
	time.Sleep(eventsWarmup)

	arrived := make(chan time.Time, 1)
	w.setXsiHook(func(at time.Time, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/calls/new") {
			select {
			case arrived <- at:
			default:
			}
		}
	})
	defer w.setXsiHook(nil)

	type target struct {
		company int64
		seat    worldSeat
		admin   string
	}
	var targets []target
	dialing := map[string]bool{}
	for i, c := range w.companies {
		for _, seat := range c.seats[:dialSeats/2] {
			targets = append(targets, target{c.id, seat, fmt.Sprintf("admin%03d@xsp.example", i)})
			dialing[seat.userID] = true
		}
	}
	byLink := map[string]target{}
	for _, t := range targets {
		byLink[strconv.FormatInt(t.seat.linkID, 10)] = t
	}
	rcfg := relayConfig{XsiURL: w.xsrv.URL, Links: map[string]relayTarget{}}
	for link, t := range byLink {
		rcfg.Links[link] = relayTarget{UserID: t.seat.userID, Secret: t.seat.secret, Admin: t.admin, Password: worldXsiPassword}
	}
	relay, err := startRelay(ctx, rcfg)
	if err != nil {
		return err
	}
	defer relay.stop()

	client := &http.Client{Timeout: 10 * time.Second}
	dial := func(base string, t target) (time.Duration, error) {
		form := url.Values{"tonumber": {dialNumber}, zohoapi.ParamCompany: {strconv.FormatInt(t.company, 10)},
			zohoapi.ParamLink: {strconv.FormatInt(t.seat.linkID, 10)}, zohoapi.AuthParam: {t.seat.secret}}
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+zohoapi.ClickToDialPath, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(zohoapi.AuthParam, t.seat.secret)
		select {
		case <-arrived:
		default:
		}
		sent := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("%s answered HTTP %d", base, resp.StatusCode)
		}
		select {
		case at := <-arrived:
			return at.Sub(sent), nil
		default:
			return 0, fmt.Errorf("%s answered without sending calls/new", base)
		}
	}
	var gw, base []time.Duration
	var acks0 int64
	var m0 time.Time
	for i := range dialWarmup + dialRequests {
		if i == dialWarmup {
			acks0, m0 = w.acks.Load(), time.Now()
		}
		t := targets[i%len(targets)]
		g, err := dial(w.gw.url, t)
		if err != nil {
			return fmt.Errorf("gateway: %w", err)
		}
		r, err := dial(relay.url, t)
		if err != nil {
			return fmt.Errorf("relay: %w", err)
		}
		if i >= dialWarmup {
			gw, base = append(gw, g), append(base, r)
		}
		if i%100 == 99 { // hang the dialled calls up, so seats do not pile up calls
			for _, c := range w.xsi.Calls() {
				if dialing[c.UserID] {
					_ = w.xsi.ReleaseFromFarEnd(c.ID)
				}
			}
		}
	}
	evps := float64(w.acks.Load()-acks0) / time.Since(m0).Seconds()
	stopStream()
	streams.Wait()
	if err := s.drain(eventsDrain); err != nil {
		return fmt.Errorf("the events flowing meanwhile: %w", err)
	}
	if err := s.err(); err != nil {
		return fmt.Errorf("the events flowing meanwhile: %w", err)
	}
	slices.Sort(gw)
	slices.Sort(base)
	q := func(d []time.Duration, p float64) time.Duration {
		return d[min(len(d)-1, int(p*float64(len(d))))].Round(time.Microsecond)
	}
	fmt.Printf("%d click-to-dial requests each, one at a time, alternating, after %d warm-up pairs; %d links in %d companies\n",
		dialRequests, dialWarmup, len(targets), dialCompanies)
	fmt.Printf("meanwhile %d seats carried %d calls: %.0f events/s accepted by the gateway (dialled calls' own events included), none lost, in order\n",
		len(w.companies)*(dialSeats-dialSeats/2), s.placed(), evps)
	fmt.Printf("gateway  request → calls/new: p50 %8s  p99 %8s\n", q(gw, 0.5), q(gw, 0.99))
	fmt.Printf("relay    request → calls/new: p50 %8s  p99 %8s\n", q(base, 0.5), q(base, 0.99))
	added50, added99 := q(gw, 0.5)-q(base, 0.5), q(gw, 0.99)-q(base, 0.99)
	fmt.Printf("added by the gateway over the relay: p50 %s, p99 %s (ratio p50 %.1fx, p99 %.1fx)\n", added50, added99,
		float64(q(gw, 0.5))/float64(q(base, 0.5)), float64(q(gw, 0.99))/float64(q(base, 0.99)))
	b.figures.set("clicktodial_added_p50_ms", ms(added50))
	b.figures.set("clicktodial_added_p99_ms", ms(added99))
	return nil
}
