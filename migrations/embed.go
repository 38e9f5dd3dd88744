// Package migrations holds the database schema as goose SQL migrations, embedded in the binary
// and applied at start-up.
package migrations

import "embed"

// FS is the set of migration files, named NNNNN_description.sql.
//
//go:embed *.sql
var FS embed.FS
