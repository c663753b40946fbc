package xsisim

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// stream is an open event channel read document by document.
type stream struct {
	resp *http.Response
	docs chan string
}

// openStream opens a channel of set as the demo administrator and returns
// it with its first document.
func openStream(t *testing.T, e *env, set, app string, expires int) (*stream, string) {
	t.Helper()
	body := `<?xml version="1.0" encoding="UTF-8"?><Channel xmlns="http://schema.broadsoft.com/xsi"><channelSetId>` + set +
		`</channelSetId><priority>1</priority><weight>100</weight><expires>` + itoa(expires) + `</expires><applicationId>` + app + `</applicationId></Channel>`
	req, err := http.NewRequestWithContext(context.Background(), "POST", e.url+"/com.broadsoft.async"+events+"/channel", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(DemoAdminUserID, DemoAdminPassword)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/xml") {
		t.Fatalf("open: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	s := &stream{resp: resp, docs: make(chan string, 100)}
	t.Cleanup(func() { resp.Body.Close() })
	go func() {
		defer close(s.docs)
		r := bufio.NewReader(resp.Body)
		var doc strings.Builder
		for {
			line, err := r.ReadString('>')
			if err != nil {
				return
			}
			if strings.HasPrefix(line, "<?xml") && doc.Len() > 0 {
				s.docs <- doc.String()
				doc.Reset()
			}
			doc.WriteString(line)
			if strings.HasSuffix(line, "</Channel>") || strings.HasSuffix(line, "<ChannelHeartBeat xmlns=\"http://schema.broadsoft.com/xsi\"/>") ||
				strings.HasSuffix(line, "</xsi:Event>") {
				s.docs <- doc.String()
				doc.Reset()
			}
		}
	}()
	return s, s.next(t)
}

func (s *stream) next(t *testing.T) string {
	t.Helper()
	select {
	case d, ok := <-s.docs:
		if !ok {
			t.Fatal("the stream ended")
		}
		return d
	case <-time.After(3 * time.Second):
		t.Fatal("nothing on the stream")
		return ""
	}
}

// ended waits for the stream's end.
func (s *stream) ended(t *testing.T) {
	t.Helper()
	deadline := time.After(3 * time.Second)
	for {
		select {
		case _, ok := <-s.docs:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatal("the stream did not end")
		}
	}
}

func TestChannelStreamHeartbeatsAndSets(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	s, first := openStream(t, e, "set-a", "app", 100)
	id := between(first, "channelId")
	if id == "" || between(first, "expires") != "3600" || !strings.HasPrefix(first, `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Fatalf("first document %s (want the channel, expiry raised to 3600)", first)
	}
	if r := e.admin(t, "PUT", events+"/channel/"+id+"/heartbeat", ""); r.status != 200 {
		t.Fatalf("heartbeat: %d %s", r.status, r.body)
	}
	if d := s.next(t); !strings.Contains(d, "ChannelHeartBeat") {
		t.Fatalf("after a heartbeat: %s", d)
	}
	for _, path := range []string{"/channel/nope/heartbeat", "/channel/nope"} {
		if r := e.admin(t, "PUT", events+path, `<Channel xmlns="http://schema.broadsoft.com/xsi"><expires>3600</expires></Channel>`); r.status != 403 {
			t.Errorf("PUT %s of an unknown channel: %d, want 403", path, r.status)
		}
	}
	if r := e.call(t, "PUT", events+"/channel/"+id+"/heartbeat", DemoSeat1, DemoSeatPassword, ""); r.status != 403 {
		t.Errorf("another user's heartbeat: %d, want 403", r.status)
	}
	// A subscription to a set nobody opened is refused; to the open set it
	// is accepted.
	sub := func(set string) response {
		return e.admin(t, "POST", events+"/enterprise/"+DemoEnterprise+"/group/"+DemoGroup,
			`<Subscription xmlns="http://schema.broadsoft.com/xsi"><event>Advanced Call</event><channelSetId>`+set+`</channelSetId><applicationId>app</applicationId></Subscription>`)
	}
	if r := sub("set-b"); r.status != 400 {
		t.Fatalf("subscription to an unknown set: %d", r.status)
	}
	if r := sub("set-a"); r.status != 200 {
		t.Fatalf("subscription to the open set: %d %s", r.status, r.body)
	}
	// Another set of the same application ends this one's channel.
	openStream(t, e, "set-b", "app", 0)
	if d := s.next(t); !strings.Contains(d, "ChannelTerminatedEvent") || between(d, "reason") != "DuplicateChannelSet" {
		t.Fatalf("after a second set: %s", d)
	}
	s.ended(t)
	if n := len(e.sim.Channels()); n != 1 {
		t.Fatalf("%d channels open, want the new one", n)
	}
}

func TestChannelExpiresAndIsDeleted(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}
	e := newEnv(t, Options{Now: clk.now})
	s, first := openStream(t, e, "set-a", "app", 3600)
	id := between(first, "channelId")
	r := e.admin(t, "PUT", events+"/channel/"+id, `<Channel xmlns="http://schema.broadsoft.com/xsi"><expires>7200</expires></Channel>`)
	if r.status != 200 || between(r.body, "expires") != "7200" {
		t.Fatalf("refresh: %d %s", r.status, r.body)
	}
	clk.add(7200 * time.Second)
	if n := len(e.sim.Channels()); n != 0 {
		t.Fatalf("%d channels after the expiry", n)
	}
	if d := s.next(t); between(d, "reason") != "Expired" {
		t.Fatalf("at expiry: %s", d)
	}
	s.ended(t)

	s2, first := openStream(t, e, "set-a", "app", 0)
	if r := e.admin(t, "DELETE", events+"/channel/"+between(first, "channelId"), ""); r.status != 200 {
		t.Fatalf("delete: %d", r.status)
	}
	if d := s2.next(t); between(d, "reason") != "ExplicitDelete" {
		t.Fatalf("after delete: %s", d)
	}
	s2.ended(t)
}
