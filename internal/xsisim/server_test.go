package xsisim

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestAuthAndErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	other := e.sim.AddGroup("Other", "G2")
	_ = other.AddSeat(Seat{UserID: "x@other.es"}, "pw")
	tests := []struct {
		name, method, path, user, pass string
		status                         int
		code                           string
	}{
		{"no credentials", "GET", actions + "/user/" + DemoSeat1 + "/calls", "", "", 401, "4010"},
		{"wrong password", "GET", actions + "/user/" + DemoSeat1 + "/calls", DemoSeat1, "nope", 401, "4010"},
		{"seat on itself", "GET", actions + "/user/" + DemoSeat1 + "/calls", DemoSeat1, DemoSeatPassword, 200, ""},
		{"seat on another seat", "GET", actions + "/user/" + DemoSeat2 + "/calls", DemoSeat1, DemoSeatPassword, 403, "4030"},
		{"admin in scope", "GET", actions + "/user/" + DemoSeat2 + "/calls", DemoAdminUserID, DemoAdminPassword, 200, ""},
		{"admin out of scope", "GET", actions + "/user/x@other.es/calls", DemoAdminUserID, DemoAdminPassword, 403, "4030"},
		{"admin unknown user", "GET", actions + "/user/ghost@x/calls", DemoAdminUserID, DemoAdminPassword, 404, "4040"},
		{"case-insensitive path", "GET", "/COM.broadsoft.XSI-Actions/V2.0/User/" + strings.ToUpper(DemoSeat1) + "/Calls", DemoSeat1, DemoSeatPassword, 200, ""},
		{"no mute command", "PUT", actions + "/user/" + DemoSeat1 + "/calls/callhalf-1:0/Mute", DemoSeat1, DemoSeatPassword, 404, "4042"},
		{"wrong method", "POST", actions + "/user/" + DemoSeat1 + "/calls", DemoSeat1, DemoSeatPassword, 405, "4050"},
		{"unknown call", "PUT", actions + "/user/" + DemoSeat1 + "/calls/callhalf-9:0/talk", DemoSeat1, DemoSeatPassword, 404, "4041"},
		{"dial without address", "POST", actions + "/user/" + DemoSeat1 + "/calls/New", DemoSeat1, DemoSeatPassword, 400, "4000"},
		{"versions", "GET", actions + "/versions", "", "", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.call(t, tt.method, tt.path, tt.user, tt.pass, "")
			if r.status != tt.status {
				t.Fatalf("status = %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.status == 401 && !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Basic ") {
				t.Error("401 without Basic challenge")
			}
			if tt.code != "" {
				if !strings.Contains(r.body, `<ErrorInfo xmlns="http://schema.broadsoft.com/xsi">`) || between(r.body, "errorCode") != tt.code || between(r.body, "summaryEnglish") == "" {
					t.Errorf("error body = %s", r.body)
				}
			}
			if ct := r.header.Get("Content-Type"); r.body != "" && !strings.HasPrefix(ct, "application/xml") {
				t.Errorf("Content-Type = %q", ct)
			}
		})
	}
}

func TestDialResponseAndCaseInsensitiveCommands(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	r := e.call(t, "POST", actions+"/user/"+DemoSeat1+"/calls/New?address=%2B34600111222", DemoSeat1, DemoSeatPassword, "")
	if r.status != 201 || !strings.Contains(r.body, "<CallStartInfo") {
		t.Fatalf("dial = %d %s", r.status, r.body)
	}
	id, ext := between(r.body, "callId"), between(r.body, "externalTrackingId")
	if !strings.HasPrefix(id, "callhalf-") || !strings.HasSuffix(id, ":0") || ext == "" {
		t.Fatalf("CallStartInfo = %s", r.body)
	}
	if loc := r.header.Get("Location"); !strings.HasSuffix(loc, "/calls/"+id) {
		t.Errorf("Location = %q", loc)
	}
	if r := e.call(t, "PUT", actions+"/user/"+DemoSeat1+"/calls/"+id+"/talk", DemoSeat1, DemoSeatPassword, ""); r.status != 200 || r.body != "" {
		t.Fatalf("talk = %d %q", r.status, r.body)
	}
	if err := e.sim.AnswerFromFarEnd(id); err != nil {
		t.Fatal(err)
	}
	r = e.call(t, "GET", actions+"/user/"+DemoSeat1+"/calls/"+id, DemoSeat1, DemoSeatPassword, "")
	if r.status != 200 || between(r.body, "state") != "Active" || between(r.body, "personality") != "Originator" || between(r.body, "answerTime") == "" {
		t.Fatalf("call = %s", r.body)
	}
	if r := e.call(t, "PUT", actions+"/user/"+DemoSeat1+"/calls/"+id+"/transmitdtmf?playdtmf=1%2C2", DemoSeat1, DemoSeatPassword, ""); r.status != 200 {
		t.Fatalf("dtmf = %d %s", r.status, r.body)
	}
	calls := e.sim.Calls()
	if len(calls) != 1 || calls[0].State != "Active" || !calls[0].External {
		t.Fatalf("Calls() = %+v", calls)
	}
}

func TestFaultInjection(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.sim.FailNext(Fault{Path: "/calls", Status: 503, Count: 2})
	e.sim.FailNext(Fault{Method: "GET", Delay: 50 * time.Millisecond})
	path := actions + "/user/" + DemoSeat1 + "/calls"
	for i, want := range []int{503, 503, 200} {
		start := time.Now()
		r := e.call(t, "GET", path, DemoSeat1, DemoSeatPassword, "")
		if r.status != want {
			t.Fatalf("request %d: status %d, want %d", i, r.status, want)
		}
		if i == 2 && time.Since(start) < 50*time.Millisecond {
			t.Error("delay fault not applied")
		}
	}
	reqs := e.sim.Requests()
	if len(reqs) != 3 || reqs[0].User != DemoSeat1 || reqs[0].Status != 503 || reqs[2].Status != 200 || reqs[0].Method != "GET" {
		t.Fatalf("requests = %+v", reqs)
	}
}

func TestRemoveSeatAndSeed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.g.SeedSeats(10000) // how long it takes: BenchmarkSeedSeats
	if n := len(e.g.Seats()); n != 10002 {
		t.Fatalf("seats = %d", n)
	}
	if !e.sim.RemoveSeat(DemoSeat2) || e.sim.RemoveSeat(DemoSeat2) {
		t.Fatal("RemoveSeat result")
	}
	if r := e.call(t, "GET", actions+"/user/"+DemoSeat2+"/calls", DemoSeat2, DemoSeatPassword, ""); r.status != 401 {
		t.Errorf("removed seat credential: %d", r.status)
	}
	if r := e.admin(t, "GET", actions+"/user/"+DemoSeat2+"/calls", ""); r.status != 404 {
		t.Errorf("removed seat as target: %d", r.status)
	}
}

func TestListenAndServe(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	sim := New(Options{})
	done := make(chan error, 1)
	go func() { done <- ListenAndServe(ctx, addr, sim, nil) }()
	var resp *http.Response
	for range 50 {
		if resp, err = http.Get("http://" + addr + actions + "/versions"); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("versions: %v", err)
	}
	resp.Body.Close()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("ListenAndServe: %v", err)
	}
}

// BenchmarkSeedSeats measures seeding a group of 10,000 seats (a load
// test's directory); it was a wall-clock bound in TestRemoveSeatAndSeed,
// which a loaded machine running tests in parallel broke.
func BenchmarkSeedSeats(b *testing.B) {
	for b.Loop() {
		sim := New(Options{})
		SeedDemo(sim).SeedSeats(10000)
		sim.Close()
	}
}
