package zoho_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/zoho"
	"github.com/conecta-zoho/gateway/internal/zohosim"
)

func TestPBXNotIntegratedUntilIntegrate(t *testing.T) {
	t.Parallel()
	e := newEnv(t, zohosim.Options{})
	pb, _ := e.phoneBridge(t, false)
	ctx := t.Context()
	_, err := pb.Users(ctx)
	if !zoho.IsCode(err, zoho.CodePBXNotIntegrated) || zoho.Retryable(err) {
		t.Fatalf("users before integrate: %v", err)
	}
	for range 2 { // idempotent
		if err := pb.Integrate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if !e.org.Integrated() {
		t.Fatal("org not integrated")
	}
	if err := pb.Disintegrate(ctx); err != nil || e.org.Integrated() {
		t.Fatalf("disintegrate: %v", err)
	}
}

func TestIntegrateErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		setup  func(e *env)
		code   string
		status int
	}{
		{"provider not registered", func(e *env) { e.sim.SetProviderRegistered(false) }, zoho.CodeProviderNotRegistered, 400},
		{"not admin", func(e *env) { e.sim.SetAdmin(e.admin, false) }, zoho.CodeNoPermission, 403},
		{"other provider", func(e *env) { e.org.SetOtherProviderEnabled(true) }, zoho.CodeDifferentProviderAlreadyEnabled, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, zohosim.Options{})
			pb, _ := e.phoneBridge(t, false)
			tt.setup(e)
			err := pb.Integrate(t.Context())
			var ze *zoho.Error
			if !errors.As(err, &ze) || ze.Code != tt.code || ze.Status != tt.status {
				t.Fatalf("err = %v, want %s/%d", err, tt.code, tt.status)
			}
		})
	}
}

func TestUsersPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t, zohosim.Options{})
	e.org.AddUsers(450) // 452 users: pages of 200, 200, 52
	pb, _ := e.phoneBridge(t, true)
	e.sim.ResetRequests()
	users, err := pb.Users(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 452 {
		t.Fatalf("got %d users", len(users))
	}
	if users[0].ZohoUser != e.admin || users[0].Email != "miguel.martin@satec.es" || users[0].Name != "Miguel Martín Buil" {
		t.Errorf("first user = %+v", users[0])
	}
	reqs := e.sim.RequestsTo("/phonebridge/v3/users")
	if len(reqs) != 3 {
		t.Fatalf("got %d users requests", len(reqs))
	}
	for i, r := range reqs {
		if r.Method != http.MethodGet || r.Query.Get("page") != fmt.Sprint(i+1) || r.Query.Get("perPage") != "200" || r.AuthScheme != "Zoho-oauthtoken" {
			t.Errorf("request %d = %+v", i, r)
		}
	}
}

func TestUsersExactPageBoundary(t *testing.T) {
	t.Parallel()
	e := newEnv(t, zohosim.Options{})
	e.org.AddUsers(198) // 200 users: one full page then an empty one
	pb, _ := e.phoneBridge(t, true)
	users, err := pb.Users(t.Context())
	if err != nil || len(users) != 200 {
		t.Fatalf("users = %d, %v", len(users), err)
	}
}

func TestRegistrations(t *testing.T) {
	t.Parallel()
	e := newEnv(t, zohosim.Options{})
	pb, _ := e.phoneBridge(t, true)
	ctx := t.Context()
	auth := zoho.Param{Name: "X-Gateway-Key", Value: "k3y"}
	err := pb.EnableClickToDial(ctx, zoho.ClickToDial{ZohoUser: e.admin, URI: "https://gw.example/c2d", AuthParam: auth,
		Params: []zoho.Param{{Name: "callee", Value: zoho.ToPlaceholder}, {Name: "seat", Value: "3201"}}})
	if err != nil {
		t.Fatal(err)
	}
	reg, ok := e.org.ClickToDial(e.admin)
	if !ok || reg.URI != "https://gw.example/c2d" || reg.Auth.Name != "X-Gateway-Key" || len(reg.Params) != 2 || reg.Params[0].Value != "{to}" {
		t.Fatalf("registration = %+v", reg)
	}
	err = pb.EnableCallControl(ctx, zoho.CallControl{ZohoUser: e.admin, AnswerURI: "https://gw.example/answer",
		HungupURI: "https://gw.example/hangup", AuthParam: auth, Params: []zoho.Param{{Name: "seat", Value: "3201"}}})
	if err != nil {
		t.Fatal(err)
	}
	cc, ok := e.org.CallControl(e.admin)
	if !ok || len(cc.URIs) != 2 || cc.URIs["hungup"] != "https://gw.example/hangup" {
		t.Fatalf("call control = %+v", cc)
	}
	last := e.sim.RequestsTo("/callcontrol")[0]
	if last.Form.Has("muteuri") {
		t.Error("empty muteuri was sent")
	}
	if err := pb.DisableClickToDial(ctx, e.admin); err != nil {
		t.Fatal(err)
	}
	if err := pb.DisableCallControl(ctx, e.admin); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.org.ClickToDial(e.admin); ok {
		t.Error("click to dial still registered")
	}
	if _, ok := e.org.CallControl(e.admin); ok {
		t.Error("call control still registered")
	}
	err = pb.EnableClickToDial(ctx, zoho.ClickToDial{ZohoUser: "999", URI: "https://gw.example/c2d"})
	if !zoho.IsCode(err, zoho.CodeInvalidUser) {
		t.Errorf("unknown user: %v", err)
	}
}

func TestCallNotifyEncodingAndFields(t *testing.T) {
	t.Parallel()
	e := newEnv(t, zohosim.Options{})
	pb, _ := e.phoneBridge(t, true)
	start := time.Date(2025, 3, 4, 10, 5, 6, 0, time.FixedZone("CET", 3600))
	err := pb.CallNotify(t.Context(), zoho.CallNotify{Type: zoho.CallReceived, State: zoho.StateEnded, ID: "call-1",
		From: "+34600111222", To: "+34910000001", ZohoUser: e.admin, StartTime: start, Duration: 95 * time.Second,
		VoiceURI: "https://rec.example/1.mp3"})
	if err != nil {
		t.Fatal(err)
	}
	n := e.org.Notifies()
	if len(n) != 1 || n[0].From != "+34600111222" || n[0].Duration != 95 || n[0].StartTime.Format("15:04:05") != "09:05:06" {
		t.Fatalf("notifies = %+v", n)
	}
	var raw string
	for _, b := range e.bodies.all() {
		if strings.Contains(b, "call-1") {
			raw = b
		}
	}
	if !strings.Contains(raw, "from=%2B34600111222") || !strings.Contains(raw, "start_time=2025-03-04+09%3A05%3A06") {
		t.Errorf("raw body = %s", raw)
	}
	err = pb.CallNotify(t.Context(), zoho.CallNotify{Type: zoho.CallReceived, State: zoho.StateEnded, ID: "call-2", From: "1", To: "2"})
	var ze *zoho.Error
	if !errors.As(err, &ze) || ze.Code != zoho.CodeRequiredParamMissing || ze.Param != "start_time" || ze.Status != 400 || zoho.Retryable(err) {
		t.Fatalf("missing start_time: %v", err)
	}
}

func TestClickToDialError(t *testing.T) {
	t.Parallel()
	e := newEnv(t, zohosim.Options{})
	pb, _ := e.phoneBridge(t, true)
	err := pb.ClickToDialError(t.Context(), zoho.ClickToDialError{Code: zoho.DialBlocked, From: "3201", To: "+447700900123",
		ZohoUser: e.admin, Message: "International dialing is disabled for the extension 3201"})
	if err != nil {
		t.Fatal(err)
	}
	if d := e.org.DialErrors(); len(d) != 1 || d[0].To != "+447700900123" || d[0].Code != "blocked" {
		t.Fatalf("dial errors = %+v", d)
	}
}

func TestReauthOnceAfter401(t *testing.T) {
	t.Parallel()
	e := newEnv(t, zohosim.Options{})
	pb, src := e.phoneBridge(t, true)
	e.sim.Advance(61 * time.Minute) // access token expired
	if _, err := pb.Users(t.Context()); err != nil {
		t.Fatal(err)
	}
	if src.refreshes != 1 {
		t.Fatalf("refreshes = %d", src.refreshes)
	}
	// A static credential cannot refresh: 401 comes back once, typed.
	static := zoho.NewPhoneBridge(e.srv.Client(), zoho.StaticToken{APIDomain: src.tok.APIDomain, AccessToken: "1000.bad.bad"})
	e.sim.ResetRequests()
	err := static.Integrate(t.Context())
	if err == nil || !strings.Contains(err.Error(), "rejected") {
		t.Fatalf("static 401: %v", err)
	}
	if n := len(e.sim.Requests()); n != 1 {
		t.Errorf("static credential sent %d requests", n)
	}
}

func TestRetries(t *testing.T) {
	t.Parallel()
	e := newEnv(t, zohosim.Options{})
	pb, _ := e.phoneBridge(t, true)
	ctx := t.Context()

	e.sim.FailNext(2, http.StatusServiceUnavailable)
	e.sim.ResetRequests()
	if _, err := pb.Users(ctx); err != nil {
		t.Fatalf("users after two 503s: %v", err)
	}
	if n := len(e.sim.Requests()); n != 3 {
		t.Errorf("users requests = %d, want 3", n)
	}

	e.sim.FailNext(5, http.StatusInternalServerError)
	e.sim.ResetRequests()
	err := pb.DisableClickToDial(ctx, e.admin)
	var ze *zoho.Error
	if !errors.As(err, &ze) || ze.Status != 500 || !zoho.Retryable(err) || len(e.sim.Requests()) != 3 {
		t.Fatalf("bounded retries: %v after %d requests", err, len(e.sim.Requests()))
	}

	e.sim.FailNext(1, http.StatusServiceUnavailable)
	e.sim.ResetRequests()
	err = pb.CallNotify(ctx, zoho.CallNotify{Type: "received", State: "ringing", ID: "c", From: "1", To: "2"})
	if !zoho.Retryable(err) || len(e.sim.Requests()) != 1 {
		t.Fatalf("callnotify must not retry: %v, %d requests", err, len(e.sim.Requests()))
	}
	e.sim.FailNext(0, 0)
}

func TestTimeoutIsRetryableAndCtxHonoured(t *testing.T) {
	t.Parallel()
	e := newEnv(t, zohosim.Options{})
	pb, _ := e.phoneBridge(t, true)
	var calls atomic.Int32
	e.sim.SetFault(func(r *http.Request) (int, time.Duration) {
		calls.Add(1)
		return 0, time.Second
	})
	fast := pb.WithRetry(zoho.RetryPolicy{Attempts: 2, Base: time.Millisecond, Max: time.Millisecond, AttemptTimeout: 50 * time.Millisecond})
	err := fast.CallNotify(t.Context(), zoho.CallNotify{Type: "received", State: "ringing", ID: "c", From: "1", To: "2"})
	if err == nil || !zoho.Retryable(err) {
		t.Fatalf("timeout: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := fast.Users(ctx); !errors.Is(err, context.Canceled) || zoho.Retryable(err) {
		t.Fatalf("cancelled ctx: %v", err)
	}
	e.sim.SetFault(nil)
}

func TestNonJSONErrorBody(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, "<html>bad gateway 1000.secret</html>")
	}))
	defer srv.Close()
	pb := zoho.NewPhoneBridge(srv.Client(), zoho.StaticToken{APIDomain: srv.URL, AccessToken: "1000.tok"}).
		WithRetry(zoho.RetryPolicy{Attempts: 1})
	err := pb.CallNotify(t.Context(), zoho.CallNotify{Type: "received", State: "ringing", ID: "c", From: "1", To: "2"})
	var ze *zoho.Error
	if !errors.As(err, &ze) || ze.Status != 502 || ze.Code != "" || !zoho.Retryable(err) {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "1000.") {
		t.Errorf("error leaks body or token: %v", err)
	}
}

func TestNeverSendsBearer(t *testing.T) {
	t.Parallel()
	e := newEnv(t, zohosim.Options{})
	pb, _ := e.phoneBridge(t, true)
	_, _ = pb.Users(t.Context())
	for _, r := range e.sim.Requests() {
		if strings.Contains(r.Path, "/phonebridge/") && r.AuthScheme != "Zoho-oauthtoken" {
			t.Errorf("%s %s sent scheme %q", r.Method, r.Path, r.AuthScheme)
		}
	}
}
