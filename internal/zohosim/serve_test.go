package zohosim

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"
)

func TestListenAndServeStopsWithContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := ListenAndServe(ctx, "127.0.0.1:0", Options{ClientID: "c", ClientSecret: "s"}, logger); err != nil {
		t.Fatal(err)
	}
}
