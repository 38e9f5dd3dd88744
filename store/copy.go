package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// copyRows writes rows into table's columns with COPY inside tx: the fastest way PostgreSQL takes
// many rows, in one round trip for the data. A refused row (a constraint, a bad value) fails the
// whole COPY with PostgreSQL's error.
func copyRows(ctx context.Context, tx *sqlx.Tx, table string, columns []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, pq.CopyIn(table, columns...))
	if err != nil {
		return fmt.Errorf("store: unable to copy into %s: %w", table, err)
	}
	defer stmt.Close()
	for _, r := range rows {
		if _, err := stmt.ExecContext(ctx, r...); err != nil {
			return fmt.Errorf("store: unable to copy into %s: %w", table, err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return fmt.Errorf("store: unable to copy into %s: %w", table, err)
	}
	return nil
}
