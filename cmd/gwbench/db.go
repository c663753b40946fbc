package main

import (
	"context"
	"fmt"
	"net/url"

	"github.com/jackc/pgx/v5"

	"github.com/conecta-zoho/gateway/internal/secretbox"
	"github.com/conecta-zoho/gateway/internal/store"
)

// migratedStore opens the store on dbURL, its secrets sealed with key
// (the SECRET_KEY a gateway child process gets too), and brings its
// schema up to date.
func migratedStore(ctx context.Context, dbURL string, key []byte) (*store.Store, error) {
	box, err := secretbox.New(key)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, dbURL, box)
	if err != nil {
		return nil, err
	}
	if _, err := st.Migrate(ctx, nil); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// freshDatabase creates an empty database on the server of baseURL and
// returns its URL and a function that drops it.
func freshDatabase(ctx context.Context, baseURL, name string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, baseURL)
	if err != nil {
		return "", nil, err
	}
	defer conn.Close(ctx)
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
		return "", nil, err
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		return "", nil, err
	}
	u, err := url.Parse(baseURL)
	if err != nil {
		return "", nil, fmt.Errorf("TEST_DATABASE_URL must be a URL: %w", err)
	}
	u.Path = "/" + name
	drop := func() {
		c, err := pgx.Connect(context.Background(), baseURL)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)")
	}
	return u.String(), drop, nil
}
