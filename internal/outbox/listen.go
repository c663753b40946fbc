package outbox

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/conecta-zoho/gateway/internal/backoff"
)

// listen holds a dedicated connection (outside the connection pool) that LISTENs on
// the "outbox" channel and kicks the pool on every notification, so rows
// written by another instance are delivered without waiting for the poll.
// It reconnects after a failure, waiting backoff.Delay (1 s doubling to
// 30 s) between failed attempts; the poll covers the gap.
func (w *Worker) listen(ctx context.Context) {
	failures := 0
	for ctx.Err() == nil {
		start := w.o.Now()
		err := w.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		if w.o.Now().Sub(start) > time.Minute {
			failures = 0 // it was up for a while: start over
		}
		failures++
		w.log.Warn("outbox: listen connection lost", "error", err, "attempt", failures)
		t := time.NewTimer(backoff.Delay(failures, time.Second, 30*time.Second))
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
}

func (w *Worker) listenOnce(ctx context.Context) error {
	cfg := w.o.Store.Pool().Config().ConnConfig.Copy()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN outbox"); err != nil {
		return err
	}
	w.Kick()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		w.Kick()
	}
}
