package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
	"github.com/conecta-zoho/gateway/internal/xsisim"
)

// TestDevInChannelMode: `gateway dev --events channel` (make run
// EVENTS=channel) switches the demo company to the event channel: once its
// Zoho integration is on, the gateway opens a channel to the simulated XSP
// and attaches the subscription to it.
func TestDevInChannelMode(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dbURL := testdb.URL(t)
	vars := map[string]string{"DATABASE_URL": dbURL, "SECRET_KEY": testSecretKey, "LISTEN_ADDR": addr, "LOG_LEVEL": "warn"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"dev", "--dir", t.TempDir(), "--events", "channel"},
			env{getenv: func(k string) string { return vars[k] }, stdin: strings.NewReader(""), stdout: &out, stderr: &errOut})
	}()
	banner := regexp.MustCompile(`Centrex \(simulated BroadWorks Xsi\): (http://\S+)`)
	var xsp string
	waitUntil(t, 60*time.Second, "the banner", func() bool {
		select {
		case code := <-done:
			t.Fatalf("gateway dev exited with %d:\n%s\n%s", code, out.String(), errOut.String())
		default:
		}
		m := banner.FindStringSubmatch(out.String())
		if m != nil {
			xsp = m[1]
		}
		return m != nil && strings.Contains(out.String(), "Call events: channel")
	})

	// The administrator enables the integration (here, straight in the
	// store: the simulated Zoho's consent is the portal's business).
	st := testdb.Connect(t, dbURL, testdb.Box(t))
	c, err := st.CompanyByName(ctx, "Fermax")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SaveZohoIntegration(ctx, store.ZohoIntegration{CompanyID: c.ID, Status: store.ZohoEnabled,
		APIDomain: "https://www.zohoapis.eu", RefreshToken: "unused", EnabledAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	get := func(path string, v any) {
		resp, err := http.Get(xsp + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatal(err)
		}
	}
	waitUntil(t, 45*time.Second, "a channel with the subscription", func() bool {
		var chans []xsisim.ChannelInfo
		var subs []xsisim.SubscriptionInfo
		get("/_sim/channels", &chans)
		get("/_sim/subscriptions", &subs)
		return len(chans) == 1 && len(subs) == 1 && subs[0].ChannelSetID == chans[0].ChannelSetID && subs[0].HTTPContact == ""
	})
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("gateway dev exited with %d:\n%s", code, errOut.String())
	}
}

// waitUntil polls cond until it holds or d passes.
func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
