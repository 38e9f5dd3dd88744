package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"cardconsole/store"
	"cardconsole/store/storetest"
)

// oneConnection returns a store whose pool holds a single connection, so that what one statement
// leaves prepared is visible to the next.
func oneConnection(t *testing.T, stmtsPerConn int) *sqlx.DB {
	t.Helper()
	st, err := store.OpenWithStatementCache(context.Background(), storetest.NewURL(t), stmtsPerConn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	st.DB().SetMaxOpenConns(1)
	return st.DB()
}

// preparedStatements lists the statements prepared on the connection, with how often each ran.
func preparedStatements(t *testing.T, db *sqlx.DB) map[string]int {
	t.Helper()
	var rows []struct {
		Statement string `db:"statement"`
		Runs      int    `db:"runs"`
	}
	if err := db.Select(&rows, `SELECT statement, generic_plans + custom_plans AS runs FROM pg_prepared_statements`); err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Statement] = r.Runs
	}
	return out
}

func TestParameterisedStatementsArePreparedOncePerConnection(t *testing.T) {
	t.Parallel()
	db := oneConnection(t, 512)
	const q = `SELECT $1::int + 1`
	for i := range 7 {
		var got int
		if err := db.Get(&got, q, i); err != nil || got != i+1 {
			t.Fatalf("run %d: %d, %v", i, got, err)
		}
	}
	if _, err := db.Exec(`SELECT set_config('application_name', $1, false)`, "stmtcache"); err != nil {
		t.Fatal(err)
	}
	prepared := preparedStatements(t, db)
	if prepared[q] != 7 {
		t.Fatalf("the query ran %d times as one prepared statement, want 7 (prepared: %v)", prepared[q], prepared)
	}
	if _, ok := prepared[`SELECT set_config('application_name', $1, false)`]; !ok {
		t.Fatalf("Exec with arguments was not prepared: %v", prepared)
	}
}

func TestStatementCacheClosesTheLeastRecentlyUsed(t *testing.T) {
	t.Parallel()
	db := oneConnection(t, 2)
	q1, q2, q3 := `SELECT $1::int`, `SELECT $1::int * 2`, `SELECT $1::int * 3`
	for _, q := range []string{q1, q2, q1, q3} {
		var got int
		if err := db.Get(&got, q, 5); err != nil {
			t.Fatal(err)
		}
	}
	prepared := preparedStatements(t, db)
	if _, ok := prepared[q2]; ok || len(prepared) != 2 || prepared[q1] != 2 || prepared[q3] != 1 {
		t.Fatalf("prepared = %v, want q1 (twice) and q3", prepared)
	}
	var got int
	if err := db.Get(&got, q2, 5); err != nil || got != 10 {
		t.Fatalf("the closed statement did not run again: %d, %v", got, err)
	}
}

func TestStatementPreparedBeforeASchemaChangeRunsAfterIt(t *testing.T) {
	t.Parallel()
	db := oneConnection(t, 512)
	if _, err := db.Exec(`CREATE TABLE stmt_probe (a int); INSERT INTO stmt_probe VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	const q = `SELECT * FROM stmt_probe WHERE a = $1`
	columns := func() (int, error) {
		rows, err := db.Queryx(q, 1)
		if err != nil {
			return 0, err
		}
		defer rows.Close()
		cols, err := rows.Columns()
		return len(cols), err
	}
	if n, err := columns(); err != nil || n != 1 {
		t.Fatalf("before: %d columns, %v", n, err)
	}
	// Outside a transaction the refused statement is prepared again and rerun.
	if _, err := db.Exec(`ALTER TABLE stmt_probe ADD COLUMN b int DEFAULT 2`); err != nil {
		t.Fatal(err)
	}
	if n, err := columns(); err != nil || n != 2 {
		t.Fatalf("after the change: %d columns, %v", n, err)
	}
	// Inside one the transaction has failed; the statement runs again once it is over.
	if _, err := db.Exec(`ALTER TABLE stmt_probe ADD COLUMN c int DEFAULT 3`); err != nil {
		t.Fatal(err)
	}
	tx, err := db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	if rows, err := tx.Queryx(q, 1); err == nil {
		rows.Close()
		t.Fatal("a statement whose columns changed ran inside the transaction")
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if n, err := columns(); err != nil || n != 3 {
		t.Fatalf("after the transaction: %d columns, %v", n, err)
	}
}

// A cancelled context stops a running statement, inside a transaction (where the transaction's
// watcher does it) as well as outside one.
func TestCancelledContextStopsPreparedStatements(t *testing.T) {
	db := oneConnection(t, 512)
	sleep := func(ctx context.Context, q sqlx.QueryerContext) error {
		var s string
		return sqlx.GetContext(ctx, q, &s, `SELECT pg_sleep($1)::text`, 30)
	}
	stopsSoon := func(name string, run func(ctx context.Context) error) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := run(ctx)
		if err == nil || time.Since(start) > 10*time.Second {
			t.Fatalf("%s: %v after %s, want an error well before the 30 s sleep ends", name, err, time.Since(start))
		}
	}
	stopsSoon("outside a transaction", func(ctx context.Context) error { return sleep(ctx, db) })
	stopsSoon("inside a transaction of the same context", func(ctx context.Context) error {
		tx, err := db.BeginTxx(ctx, nil)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback() }()
		return sleep(ctx, tx)
	})
	stopsSoon("inside a transaction of another context", func(ctx context.Context) error {
		tx, err := db.BeginTxx(context.Background(), nil)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback() }()
		return sleep(ctx, tx)
	})
	var one int
	if err := db.Get(&one, `SELECT $1::int`, 1); err != nil || one != 1 {
		t.Fatalf("the pool does not work after the cancellations: %d, %v", one, err)
	}
}
