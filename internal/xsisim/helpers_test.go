package xsisim

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const actions = "/com.broadsoft.xsi-actions/v2.0"
const events = "/com.broadsoft.xsi-events/v2.0"

// env is a demo simulator behind an httptest server.
type env struct {
	sim *Sim
	g   *Group
	url string
}

func newEnv(tb testing.TB, opts Options) *env {
	tb.Helper()
	sim := New(opts)
	g := SeedDemo(sim)
	srv := httptest.NewServer(sim)
	tb.Cleanup(func() {
		srv.Close()
		sim.Close()
	})
	return &env{sim: sim, g: g, url: srv.URL}
}

// response is a simplified HTTP response.
type response struct {
	status int
	header http.Header
	body   string
}

// call sends a request with optional Basic credentials ("" user = none).
func (e *env) call(tb testing.TB, method, path, user, pass, body string) response {
	tb.Helper()
	req, err := http.NewRequest(method, e.url+path, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, string(data)}
}

// admin sends a request as the demo administrator.
func (e *env) admin(tb testing.TB, method, path, body string) response {
	tb.Helper()
	return e.call(tb, method, path, DemoAdminUserID, DemoAdminPassword, body)
}

// contact is an HTTP contact that records bodies and answers with the
// statuses queued in fail (then 200).
type contact struct {
	url  string
	mu   sync.Mutex
	fail []int
	got  chan string
}

func newContact(tb testing.TB, fail ...int) *contact {
	tb.Helper()
	c := &contact{fail: fail, got: make(chan string, 100)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/xml") {
			tb.Errorf("event posted as %q, want application/xml", ct)
		}
		c.mu.Lock()
		status := http.StatusOK
		if len(c.fail) > 0 {
			status, c.fail = c.fail[0], c.fail[1:]
		}
		c.mu.Unlock()
		if status == http.StatusOK {
			c.got <- string(body)
		}
		w.WriteHeader(status)
	}))
	tb.Cleanup(srv.Close)
	c.url = srv.URL + "/events"
	return c
}

// next returns the next delivered body.
func (c *contact) next(tb testing.TB) string {
	tb.Helper()
	select {
	case b := <-c.got:
		return b
	case <-time.After(3 * time.Second):
		tb.Fatal("no event delivered")
		return ""
	}
}

// none asserts nothing is delivered for a short while.
func (c *contact) none(tb testing.TB) {
	tb.Helper()
	select {
	case b := <-c.got:
		tb.Fatalf("unexpected event: %s", b)
	case <-time.After(100 * time.Millisecond):
	}
}

// subscribeBody is a group subscription request for contact.
func subscribeBody(uri string, expires int) string {
	return `<?xml version="1.0" encoding="UTF-8"?><Subscription xmlns="http://schema.broadsoft.com/xsi"><event>Advanced Call</event><expires>` +
		itoa(expires) + `</expires><httpContact><uri>` + uri + `</uri></httpContact><applicationId>test</applicationId></Subscription>`
}

// between returns the text between the first <tag> and </tag> (any prefix).
func between(s, tag string) string {
	for _, p := range []string{"", "xsi:"} {
		open, end := "<"+p+tag+">", "</"+p+tag+">"
		if i := strings.Index(s, open); i >= 0 {
			if j := strings.Index(s[i:], end); j >= 0 {
				return s[i+len(open) : i+j]
			}
		}
	}
	return ""
}

func httpPostJSON(url, body string) (response, error) {
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, string(data)}, nil
}
