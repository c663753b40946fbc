package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/conecta-zoho/gateway/internal/zohoapi"
)

// The click-to-dial section's baseline is a minimal relay in a process of
// its own, as the gateway is: gwbench starts itself again with
// GWBENCH_CHILD=relay and the relay's configuration, as JSON, in
// GWBENCH_RELAY; it listens on LISTEN_ADDR and answers GET /readyz.
const relayEnvVar = "GWBENCH_RELAY"

// relayConfig is what the relay knows: the Xsi endpoint, and per link id
// the seat to dial from, the link's secret and the company's Xsi
// credentials.
type relayConfig struct {
	XsiURL string                 `json:"xsi_url"`
	Links  map[string]relayTarget `json:"links"`
}

type relayTarget struct {
	UserID   string `json:"user_id"`
	Secret   string `json:"secret"`
	Admin    string `json:"admin"`
	Password string `json:"password"`
}

// relayHandler reads Zoho's click-to-dial form, checks the link's secret
// and forwards it as calls/new with the company's credentials: the least a
// gateway has to do.
func relayHandler(cfg relayConfig) http.Handler {
	xclient := &http.Client{Timeout: 10 * time.Second}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /readyz", func(rw http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(rw, "ok\n") })
	mux.HandleFunc("POST "+zohoapi.ClickToDialPath, func(rw http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(rw, "bad form", http.StatusBadRequest)
			return
		}
		t, ok := cfg.Links[r.Form.Get(zohoapi.ParamLink)]
		if !ok || r.Header.Get(zohoapi.AuthParam) != t.Secret {
			http.Error(rw, "forbidden", http.StatusForbidden)
			return
		}
		u := cfg.XsiURL + "/com.broadsoft.xsi-actions/v2.0/user/" + url.PathEscape(t.UserID) +
			"/calls/new?" + url.Values{"address": {r.Form.Get("tonumber")}}.Encode()
		req, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, u, nil)
		req.SetBasicAuth(t.Admin, t.Password)
		resp, err := xclient.Do(req)
		if err != nil {
			http.Error(rw, "xsi unreachable", http.StatusBadGateway)
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			http.Error(rw, "refused", http.StatusBadGateway)
			return
		}
		_, _ = io.WriteString(rw, "success\n")
	})
	return mux
}

// runChildRelay is the relay child's main.
func runChildRelay() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var cfg relayConfig
	if err := json.Unmarshal([]byte(os.Getenv(relayEnvVar)), &cfg); err != nil {
		fmt.Fprintln(os.Stderr, "gwbench relay:", err)
		return 2
	}
	ln, err := net.Listen("tcp", os.Getenv("LISTEN_ADDR"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "gwbench relay:", err)
		return 1
	}
	srv := &http.Server{Handler: relayHandler(cfg), ReadHeaderTimeout: 5 * time.Second}
	go func() { <-ctx.Done(); _ = srv.Close() }()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, "gwbench relay:", err)
		return 1
	}
	return 0
}

// startRelay starts the relay child with cfg.
func startRelay(ctx context.Context, cfg relayConfig) (*gatewayChild, error) {
	b, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	return startProcess(ctx, "relay", []string{relayEnvVar + "=" + string(b)})
}
