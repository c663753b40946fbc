// Package migrations embeds the gateway's SQL migrations. They are applied in
// order by goose (see internal/store/migrate.go) and never edited once applied.
package migrations

import "embed"

// FS holds every NNNN_name.sql file of this folder.
//
//go:embed *.sql
var FS embed.FS
