package bridge_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/outbox"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/subscriptions"
	"github.com/conecta-zoho/gateway/internal/xsisim"
)

// channelMode switches e's company to the streaming event channel.
func (e *env) channelMode() {
	e.t.Helper()
	must(e.t, e.store.SetCentrexEvents(context.Background(), e.company, store.EventsChannel))
}

// fastChannels are subscription options for tests: quick rounds,
// heartbeats and reopening.
func fastChannels() subscriptions.Options {
	return subscriptions.Options{Check: 100 * time.Millisecond, Channel: subscriptions.ChannelOptions{
		Heartbeat: 100 * time.Millisecond, RetryBase: 50 * time.Millisecond, RetryMax: 200 * time.Millisecond}}
}

// channelReady waits for one open channel with the company's subscription
// attached to its set, and returns the channel.
func (e *env) channelReady(t *testing.T) xsisim.ChannelInfo {
	t.Helper()
	var ch xsisim.ChannelInfo
	waitFor(t, 10*time.Second, "an open channel with the subscription", func() bool {
		chans, subs := e.xsi.Channels(), e.xsi.Subscriptions()
		if len(chans) != 1 || len(subs) != 1 || subs[0].ChannelSetID != chans[0].ChannelSetID || subs[0].HTTPContact != "" {
			return false
		}
		ch = chans[0]
		return true
	})
	return ch
}

// count counts the XSP's requests of method whose path contains part.
func (e *env) count(method, part string) int {
	n := 0
	for _, r := range e.xsi.Requests() {
		if r.Method == method && strings.Contains(r.Path, part) && r.Status == 200 {
			n++
		}
	}
	return n
}

// TestChannelModeCalls: in channel mode the gateway holds the event
// channel open (it never gives the XSP a contact URL), reads the calls'
// events from it through the same intake, acknowledges every one, and
// sends heartbeats; Zoho gets the calls as with HTTP contact.
func TestChannelModeCalls(t *testing.T) {
	t.Parallel()
	e := newEnv(t, xsisim.Options{})
	e.channelMode()
	e.startOn("", outbox.Options{}, fastChannels())
	e.channelReady(t)
	want := placeCalls(t, e, 3)
	checkDelivered(t, e, want, 15*time.Second)
	waitFor(t, hangGuard, "every event acknowledged", func() bool {
		ch := e.xsi.Channels()
		return len(ch) == 1 && ch[0].Pending == 0
	})
	if n := e.count("POST", "/channel/eventresponse"); n < 8 {
		t.Errorf("%d acknowledgements for 8 events", n)
	}
	waitFor(t, hangGuard, "heartbeats", func() bool { return e.count("PUT", "/heartbeat") >= 3 })
	for _, r := range e.xsi.Requests() {
		if strings.Contains(r.Body, "httpContact") {
			t.Fatalf("a request gave the XSP a contact URL: %s %s", r.Path, r.Body)
		}
	}
}

// TestChannelsCounted: the manager counts the channel it holds as open,
// then, while the XSP refuses to open it again after the stream dropped,
// as reopening, and as open once it is back (gateway_centrex_channels).
func TestChannelsCounted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, xsisim.Options{})
	e.channelMode()
	in := e.startOn("", outbox.Options{}, fastChannels())
	first := e.channelReady(t)
	counted := func(what string, wantOpen, wantReopening int) {
		t.Helper()
		waitFor(t, 30*time.Second, what, func() bool {
			open, reopening := in.subs.Channels()
			return open == wantOpen && reopening == wantReopening
		})
	}
	counted("the channel counted open", 1, 0)
	// Twenty refusals, 200 ms apart at most: seconds of reopening.
	e.xsi.FailNext(xsisim.Fault{Method: "POST", Path: "/com.broadsoft.xsi-events/v2.0/channel", Status: 503, Count: 20})
	e.xsi.DropChannel(first.ID)
	counted("the channel counted reopening", 0, 1)
	counted("the channel counted open again", 1, 0)
	if ch := e.xsi.Channels(); len(ch) != 1 || ch[0].ID == first.ID {
		t.Fatalf("channels %+v, want one new channel", ch)
	}
}

// TestChannelReopened: the channel's stream drops in the middle of a call,
// the XSP ends the channel in the middle of another, and a heartbeat fails;
// each time the gateway opens the channel again in its set, the
// subscription comes back with it, and nothing the XSP still held is lost.
func TestChannelReopened(t *testing.T) {
	t.Parallel()
	e := newEnv(t, xsisim.Options{})
	e.channelMode()
	e.recoverGrace = 20 * time.Second // only the held events end these calls
	e.startOn("", outbox.Options{}, fastChannels())
	first := e.channelReady(t)
	sub := e.xsi.Subscriptions()[0].ID
	calls := map[string][]string{}
	call := func(from string, between func()) {
		id, err := e.xsi.InjectIncomingCall(xsisim.DemoSeat1, from, "")
		must(t, err)
		between()
		must(t, e.xsi.AnswerAtSeat(id))
		must(t, e.xsi.ReleaseFromFarEnd(id))
		calls[from] = answeredCall
	}
	reopened := func(prev string) string {
		var id string
		waitFor(t, 10*time.Second, "the channel opened again", func() bool {
			ch := e.xsi.Channels()
			if len(ch) == 1 && ch[0].ID != prev {
				id = ch[0].ID
				return true
			}
			return false
		})
		return id
	}
	call("+34612000001", func() { e.xsi.DropChannel(first.ID) })
	second := reopened(first.ID)
	e.waitCalls(t, 60*time.Second, calls)

	call("+34612000002", func() { e.xsi.TerminateChannel(second, "NonResponsiveChannel") })
	third := reopened(second)
	e.waitCalls(t, 60*time.Second, calls)

	e.xsi.FailNext(xsisim.Fault{Method: "PUT", Path: "/heartbeat", Status: 503})
	reopened(third)
	call("+34612000003", func() {})
	e.waitCalls(t, 60*time.Second, calls)
	if s := e.xsi.Subscriptions(); len(s) != 1 || s[0].ID != sub {
		t.Fatalf("subscriptions %+v: the reopened channels should have kept %s", s, sub)
	}
}

// TestChannelRefreshedBeforeExpiry: the XSP grants the channel a short
// life (as a test XSP may); the gateway refreshes it at half-life, so the
// channel never expires and stays the same.
func TestChannelRefreshedBeforeExpiry(t *testing.T) {
	t.Parallel()
	e := newEnv(t, xsisim.Options{MinExpires: time.Second})
	e.channelMode()
	so := fastChannels()
	so.Channel.Expires = 3 * time.Second
	e.startOn("", outbox.Options{}, so)
	ch := e.channelReady(t)
	// The channel outlives two more of its three-second lives, the same one.
	waitFor(t, 30*time.Second, "the channel refreshed past two lifetimes", func() bool {
		now := e.xsi.Channels()
		if len(now) == 1 && now[0].ID != ch.ID {
			t.Fatalf("channel %s replaced by %s: it was not refreshed in time", ch.ID, now[0].ID)
		}
		return len(now) == 1 && now[0].ExpiresAt.After(ch.ExpiresAt.Add(6*time.Second))
	})
	if n := e.count("PUT", "/channel/"+ch.ID); n < 3 {
		t.Fatalf("%d refreshes of the channel over two of its lifetimes", n)
	}
	want := placeCalls(t, e, 1)
	checkDelivered(t, e, want, 10*time.Second)
}

// TestChannelHeldByOneInstance: three instances in channel mode; exactly
// one holds the company's channel at any time; when it dies another takes
// the company over (here within a short lease) and calls flow again.
func TestChannelHeldByOneInstance(t *testing.T) {
	t.Parallel()
	e := newEnv(t, xsisim.Options{})
	e.channelMode()
	so := fastChannels()
	so.LeaseTTL = time.Second
	var ins []*instance
	for range 3 {
		ins = append(ins, e.startOn("", outbox.Options{}, so))
	}
	var most atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			if n := int64(len(e.xsi.Channels())); n > most.Load() {
				most.Store(n)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	})
	defer func() { close(stop); wg.Wait() }()
	first := e.channelReady(t)
	calls := placeCallsFrom(t, e, "+346120000", 2)
	e.waitCalls(t, 60*time.Second, calls)

	// The holder is the instance whose channel set has the channel.
	var holder *instance
	for _, in := range ins {
		if in.subs.ChannelSetID() == first.ChannelSetID {
			holder = in
		}
	}
	if holder == nil {
		t.Fatalf("no instance has the channel set %s", first.ChannelSetID)
	}
	holder.kill()
	var next xsisim.ChannelInfo
	waitFor(t, 15*time.Second, "another instance's channel", func() bool {
		chans, subs := e.xsi.Channels(), e.xsi.Subscriptions()
		if len(chans) != 1 || chans[0].ChannelSetID == first.ChannelSetID || len(subs) != 1 || subs[0].ChannelSetID != chans[0].ChannelSetID {
			return false
		}
		next = chans[0]
		return true
	})
	for _, prefix := range []string{"+346120001", "+346120002"} {
		for k, v := range placeCallsFrom(t, e, prefix, 2) {
			calls[k] = v
		}
	}
	e.waitCalls(t, 60*time.Second, calls)
	if n := most.Load(); n != 1 {
		t.Fatalf("at one point %d channels were open for the company", n)
	}
	for _, in := range ins {
		if in != holder && in.subs.ChannelSetID() == next.ChannelSetID {
			return
		}
	}
	t.Fatalf("the new channel's set %s is no live instance's", next.ChannelSetID)
}

// placeCallsFrom places n answered incoming calls from prefix+"0".."n-1"
// and returns what Zoho must get for each, by caller.
func placeCallsFrom(t *testing.T, e *env, prefix string, n int) map[string][]string {
	t.Helper()
	want := map[string][]string{}
	for i := range n {
		from := prefix + string(rune('0'+i))
		id, err := e.xsi.InjectIncomingCall(xsisim.DemoSeat1, from, "")
		must(t, err)
		must(t, e.xsi.AnswerAtSeat(id))
		must(t, e.xsi.ReleaseFromFarEnd(id))
		want[from] = answeredCall
	}
	return want
}
