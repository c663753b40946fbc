package outbox

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// listen holds a dedicated connection (outside the pool) that LISTENs on
// the "outbox" channel and kicks the loops on every notification, so rows
// written by another instance are delivered without waiting for the poll.
// It reconnects after a failure; the poll covers the gap.
func (w *Worker) listen(ctx context.Context) {
	for ctx.Err() == nil {
		if err := w.listenOnce(ctx); err != nil && ctx.Err() == nil {
			w.log.Warn("outbox: listen connection lost", "error", err)
			select {
			case <-ctx.Done():
			case <-time.After(2 * time.Second):
			}
		}
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
