// Package store is the persistence layer: sqlx on PostgreSQL, one file per aggregate, every
// invariant enforced inside the transaction that makes the change. It speaks no HTTP.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"cardconsole/migrations"
)

// Store is the application's handle on the database.
type Store struct {
	db        *sqlx.DB
	url       string     // the connection URL, for connections outside the pool (LISTEN)
	events    eventBus   // live events fanned out to subscribers (events.go)
	funds     fundsQueue // funds operations applied in batches (funds_queue.go)
	appTokens tokenCache // principals of application tokens (token_cache.go)
	replica   *replica   // reads that may be a second stale, when set (replica.go)
	compared  Comparisons
	otpKeys   *OTPKeys // seal the operators' TOTP secrets (otp_keys.go)
	hashCost  int      // bcrypt cost of new password hashes, DefaultPasswordCost when zero (password_hash.go)
	// bulkChunkRows bounds the rows one chunk of a bulk job applies, BulkChunkRows when zero.
	bulkChunkRows int
	// searchStrategy replaces collectMatches when set, so a test can compare both strategies.
	searchStrategy func(matches, partnerRows int, p Page) bool
	bulkWake       chan struct{} // a bulk job was queued here: this instance's worker need not wait for its poll
}

// Open connects to PostgreSQL at url and checks the connection. Each connection keeps its
// parameterised statements prepared (stmtcache.go).
func Open(ctx context.Context, url string) (*Store, error) {
	return open(ctx, url, stmtCacheSize)
}

func open(ctx context.Context, url string, stmtsPerConn int) (*Store, error) {
	connector, err := pq.NewConnector(url)
	if err != nil {
		return nil, fmt.Errorf("store: unable to open database: %w", err)
	}
	db := sqlx.NewDb(sql.OpenDB(cachingConnector{Connector: connector, size: stmtsPerConn}), "postgres")
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: unable to reach database: %w", err)
	}
	return &Store{db: db, url: url, bulkWake: make(chan struct{}, 1)}, nil
}

// New wraps an existing connection pool.
func New(db *sql.DB) *Store {
	return &Store{db: sqlx.NewDb(db, "postgres"), bulkWake: make(chan struct{}, 1)}
}

// DB exposes the pool for tests and tools that need raw SQL.
func (s *Store) DB() *sqlx.DB { return s.db }

// Close stops the live event listener and the funds queue, and closes the pools.
func (s *Store) Close() error {
	s.events.close()
	s.funds.close()
	s.closeReplica()
	return s.db.Close()
}

// Migrate applies every pending migration.
func Migrate(ctx context.Context, db *sql.DB) error {
	p, err := newMigrationProvider(db)
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: unable to migrate: %w", err)
	}
	return nil
}

// newMigrationProvider holds a PostgreSQL advisory lock while it migrates, so that instances
// started at once (a rolling deployment) apply each migration once: the first migrates, the
// others wait for it and find nothing left to do.
func newMigrationProvider(db *sql.DB) (*goose.Provider, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, fmt.Errorf("store: unable to prepare the migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS, goose.WithSessionLocker(locker))
	if err != nil {
		return nil, fmt.Errorf("store: unable to load migrations: %w", err)
	}
	return p, nil
}

// maxAttempts bounds how often a transaction is retried after a serialization failure or deadlock.
const maxAttempts = 8

// inTx runs fn in a transaction and commits it. A serialization failure or a deadlock rolls back
// and runs fn again, so callers never see one as a business error.
func (s *Store) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	return s.inBegunTx(ctx, nil, fn)
}

// inBegunTx is inTx whose first attempt runs in begun, a transaction already begun, when it is not
// nil; begun is committed or rolled back. When fn finds begun's connection lost before it wrote
// anything (errBegunTxLost), fn runs again in a fresh transaction.
func (s *Store) inBegunTx(ctx context.Context, begun *sqlx.Tx, fn func(tx *sqlx.Tx) error) error {
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		err = s.tryTx(ctx, begun, fn)
		if begun != nil && errors.Is(err, errBegunTxLost) {
			// The connection of the transaction begun in advance was lost before anything was
			// written in it: begin again on a fresh one.
			err = s.tryTx(ctx, nil, fn)
		}
		begun = nil
		if err == nil || !retryable(err) {
			return err
		}
		backoff := time.Duration(attempt*attempt)*time.Millisecond + time.Duration(rand.IntN(5))*time.Millisecond
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
	}
	return fmt.Errorf("store: transaction kept conflicting: %w", err)
}

func (s *Store) tryTx(ctx context.Context, tx *sqlx.Tx, fn func(tx *sqlx.Tx) error) error {
	if tx == nil {
		var err error
		if tx, err = s.db.BeginTxx(ctx, nil); err != nil {
			return fmt.Errorf("store: unable to begin transaction: %w", err)
		}
	}
	if err := fn(tx); err != nil {
		var keep keptWrites
		if errors.As(err, &keep) {
			if cerr := tx.Commit(); cerr != nil {
				return fmt.Errorf("store: unable to commit: %w", cerr)
			}
			return keep.err
		}
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: unable to commit: %w", err)
	}
	return nil
}

// errBegunTxLost is what fn of inBegunTx returns when its first statement finds the connection
// lost: nothing was written in the transaction.
var errBegunTxLost = errors.New("store: the transaction's connection was lost before it wrote anything")

// keptWrites is an error whose transaction is committed all the same: a refusal that must leave a
// trace, such as a counted failed attempt.
type keptWrites struct{ err *Error }

func (k keptWrites) Error() string { return k.err.Error() }

// commitThen makes fn's transaction commit and the caller receive err.
func commitThen(err *Error) error { return keptWrites{err: err} }

// retryable reports a serialization failure (40001) or a deadlock (40P01).
func retryable(err error) bool {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		return pqErr.Code == "40001" || pqErr.Code == "40P01"
	}
	return false
}

// isUniqueViolation reports a unique constraint violation, optionally of one named constraint.
func isUniqueViolation(err error, constraint string) bool {
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) || pqErr.Code != "23505" {
		return false
	}
	return constraint == "" || pqErr.Constraint == constraint
}

// notFoundIf turns sql.ErrNoRows into a NotFound business error for what.
func notFoundIf(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return NotFound(what)
	}
	return err
}
