package app

import (
	"context"
	"log/slog"
	"sync"

	"github.com/conecta-zoho/gateway/internal/bridge"
	"github.com/conecta-zoho/gateway/internal/bridge/callflow"
	"github.com/conecta-zoho/gateway/internal/config"
	"github.com/conecta-zoho/gateway/internal/integration"
	"github.com/conecta-zoho/gateway/internal/outbox"
	"github.com/conecta-zoho/gateway/internal/secretbox"
	"github.com/conecta-zoho/gateway/internal/store"
)

// newTelephony builds the telephony bridge and the outbox worker that
// delivers its notifications with each company's PhoneBridge client.
func newTelephony(cfg config.Config, st *store.Store, box *secretbox.Box, integ *integration.Service, logger *slog.Logger) (*bridge.Bridge, *outbox.Worker) {
	ob := outbox.New(outbox.Options{
		Store:   st,
		Clients: func(companyID int64) outbox.PhoneBridge { return integ.PhoneBridge(companyID) },
		Logger:  logger.With("component", "outbox"),
		Listen:  true,
	})
	settings := callflow.DefaultSettings()
	settings.MapRejectedStatesToEnded = !cfg.ZohoDocumentedStates
	br := bridge.New(bridge.Options{
		Store:     st,
		Box:       box,
		PublicURL: cfg.PublicURL.String(),
		Kick:      ob.Kick,
		Settings:  settings,
		Logger:    logger.With("component", "bridge"),
	})
	return br, ob
}

// runTelephony starts the outbox delivery, the subscription manager and the
// sweeper; the returned channel is closed once they stopped after ctx ended.
func (a *App) runTelephony(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { a.outbox.Run(ctx) })
	wg.Go(func() { a.bridge.Run(ctx) })
	go func() { wg.Wait(); close(done) }()
	return done
}
