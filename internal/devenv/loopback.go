package devenv

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// loopback is one simulator served on a free loopback port.
type loopback struct {
	// URL is where the simulator answers, e.g. http://127.0.0.1:40107.
	URL string
	ln  net.Listener
	srv *http.Server
}

// listenLoopback reserves a free loopback port: its URL is known before the
// simulator (which may need it) is built.
func listenLoopback(name string) (*loopback, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("devenv: %s: %w", name, err)
	}
	return &loopback{URL: "http://" + ln.Addr().String(), ln: ln}, nil
}

// serve answers with h in the background until shutdown.
func (l *loopback) serve(name string, h http.Handler, logger *slog.Logger) {
	l.srv = &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := l.srv.Serve(l.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error(name+" stopped", "error", err)
		}
	}()
}

// shutdown stops serving, or just releases the port if serving never began.
func (l *loopback) shutdown() error {
	if l.srv == nil {
		return l.ln.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return l.srv.Shutdown(ctx)
}
