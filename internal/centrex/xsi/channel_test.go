package xsi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/buildinfo"
	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/metrics"
	"github.com/conecta-zoho/gateway/internal/metrics/metricstest"
	"github.com/conecta-zoho/gateway/internal/xsisim"
)

// openChannel opens a channel of set on env and subscribes the group to it.
func openChannel(t *testing.T, c *Client, set string) (centrex.Channel, centrex.Subscription) {
	t.Helper()
	ctx := context.Background()
	ch, err := c.OpenChannel(ctx, centrex.ChannelRequest{ChannelSetID: set, ApplicationID: "conecta-zoho-gateway", Expires: time.Hour})
	if err != nil {
		t.Fatalf("OpenChannel: %v", err)
	}
	t.Cleanup(func() { _ = ch.Close(context.Background()) })
	sub, err := c.Subscribe(ctx, centrex.SubscribeRequest{ChannelSetID: set, Expires: 24 * time.Hour, ApplicationID: "conecta-zoho-gateway"})
	if err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	return ch, sub
}

// next reads the channel's next event within a few seconds.
func next(t *testing.T, ch centrex.Channel) centrex.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ev, err := ch.Next(ctx)
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	return ev
}

// TestChannelEventsAndAcknowledgements: events of a subscription made with
// the channel's set arrive on the stream, after the <Channel>; heartbeats
// are answered and consumed; an event not acknowledged when the stream is
// lost comes again on the set's next channel, an acknowledged one does not.
func TestChannelEventsAndAcknowledgements(t *testing.T) {
	t.Parallel()
	env := newEnv(t, xsisim.Options{})
	c := env.client(env.adminConn())
	ctx := context.Background()
	ch, _ := openChannel(t, c, "set-a")
	if ch.ID() == "" || ch.Expires() != time.Hour {
		t.Fatalf("channel %q expires %s", ch.ID(), ch.Expires())
	}
	if err := ch.Heartbeat(ctx); err != nil {
		t.Fatalf("Heartbeat: %v", err)
	}
	call, err := env.sim.InjectIncomingCall(xsisim.DemoSeat1, "+34600111222", "")
	if err != nil {
		t.Fatal(err)
	}
	ev := next(t, ch)
	if ev.Kind != centrex.EventCallReceived || ev.Call.ID != call || ev.TargetID != xsisim.DemoSeat1 {
		t.Fatalf("event %+v", ev)
	}
	if err := ch.Ack(ctx, ev.ID, 200, "OK"); err != nil {
		t.Fatalf("Ack: %v", err)
	}
	if err := env.sim.ReleaseFromFarEnd(call); err != nil {
		t.Fatal(err)
	}
	released := next(t, ch) // read, not acknowledged
	if released.Kind != centrex.EventCallReleased {
		t.Fatalf("event %+v", released)
	}
	if got, err := ch.Refresh(ctx, 2*time.Hour); err != nil || got != 2*time.Hour {
		t.Fatalf("Refresh = %s, %v", got, err)
	}
	env.sim.DropChannel(ch.ID())
	if _, err := ch.Next(ctx); err == nil {
		t.Fatal("a dropped stream did not end")
	}
	again, err := c.OpenChannel(ctx, centrex.ChannelRequest{ChannelSetID: "set-a", ApplicationID: "conecta-zoho-gateway"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = again.Close(context.Background()) })
	if ev := next(t, again); ev.ID != released.ID {
		t.Fatalf("on the new channel %+v, want the unacknowledged release again", ev)
	}
	if err := again.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := again.Heartbeat(ctx); !errors.Is(err, centrex.ErrNotFound) {
		t.Fatalf("heartbeat of a deleted channel: %v, want ErrNotFound (403)", err)
	}
}

// TestChannelTerminated: a channel the XSP ends says why, as its last
// event.
func TestChannelTerminated(t *testing.T) {
	t.Parallel()
	env := newEnv(t, xsisim.Options{})
	ch, _ := openChannel(t, env.client(env.adminConn()), "set-a")
	env.sim.TerminateChannel(ch.ID(), "NonResponsiveChannel")
	if ev := next(t, ch); ev.Kind != centrex.EventChannelTerminated || ev.Reason != "NonResponsiveChannel" {
		t.Fatalf("event %+v", ev)
	}
}

// TestChannelCommandsReachTheStreamsHost: the XSP's name has two
// addresses, each a different XSP host that knows only the channels it
// holds; heartbeats, acknowledgements and refreshes go to the host that
// holds the stream, whichever address new connections would get. They do
// so too when the client's transport is the metrics' counting one around
// the dialling transport, and they are counted.
func TestChannelCommandsReachTheStreamsHost(t *testing.T) {
	t.Parallel()
	for _, counted := range []bool{false, true} {
		t.Run(fmt.Sprint("counted=", counted), func(t *testing.T) {
			t.Parallel()
			channelCommandsReachTheStreamsHost(t, counted)
		})
	}
}

func channelCommandsReachTheStreamsHost(t *testing.T, counted bool) {
	var hosts [2]*xsisim.Sim
	var port string
	for i, ip := range []string{"127.0.0.1", "127.0.0.2"} {
		hosts[i] = xsisim.New(xsisim.Options{})
		xsisim.SeedDemo(hosts[i])
		addr := ip + ":0"
		if port != "" {
			addr = ip + ":" + port
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatalf("listen on %s: %v (the test needs 127.0.0.2 on the loopback interface)", addr, err)
		}
		_, port, _ = net.SplitHostPort(ln.Addr().String())
		srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: hosts[i]}}
		srv.Start()
		sim := hosts[i]
		t.Cleanup(func() { srv.Close(); sim.Close() })
	}
	// xsp.test resolves to the two hosts in turn.
	var turn atomic.Int64
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	var tr http.RoundTripper = &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if host, p, _ := net.SplitHostPort(addr); host == "xsp.test" {
			addr = net.JoinHostPort([]string{"127.0.0.1", "127.0.0.2"}[turn.Add(1)%2], p)
		}
		return dialer.DialContext(ctx, network, addr)
	}}
	m := metrics.New(buildinfo.Read())
	if counted {
		tr = m.XsiTransport(tr, Operation)
	}
	conn := centrex.Connection{BaseURL: "http://xsp.test:" + port, UserID: xsisim.DemoAdminUserID, Password: xsisim.DemoAdminPassword,
		GroupID: xsisim.DemoGroup, EnterpriseID: xsisim.DemoEnterprise, IsEnterprise: true}
	c := New(conn, &http.Client{Transport: tr, Timeout: 5 * time.Second})
	ctx := context.Background()
	ch, err := c.OpenChannel(ctx, centrex.ChannelRequest{ChannelSetID: "set-a", ApplicationID: "app"})
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close(ctx)
	holder := hosts[0]
	if len(holder.Channels()) == 0 {
		holder = hosts[1]
	}
	for i := range 6 {
		if err := ch.Heartbeat(ctx); err != nil {
			t.Fatalf("heartbeat %d: %v", i, err)
		}
		if _, err := ch.Refresh(ctx, time.Hour); err != nil {
			t.Fatalf("refresh %d: %v", i, err)
		}
	}
	for _, h := range hosts {
		for _, r := range h.Requests() {
			if strings.Contains(r.Path, "/channel/") && h != holder {
				t.Fatalf("a channel command went to the other host: %s %s", r.Method, r.Path)
			}
		}
	}
	if !counted {
		return
	}
	f := metricstest.Gather(t, m.Gatherer())
	for op, want := range map[string]float64{"channel open": 1, "heartbeat": 6, "channel renew": 6} {
		if got := f.Value("gateway_xsi_requests_total", map[string]string{"op": op, "code": "200"}); got != want {
			t.Errorf("gateway_xsi_requests_total{op=%q} = %v, want %v", op, got, want)
		}
	}
}
