package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// replicaCheckInterval is how long a verdict on the replica's lag is trusted before it is checked
// again: short enough that a lagging replica is left within a second or so, long enough that the
// check costs nothing beside the reads it routes.
const replicaCheckInterval = 500 * time.Millisecond

// replicaCheckTimeout bounds the lag check, so that a replica that hangs costs a read little.
const replicaCheckTimeout = time.Second

// replica is an optional streaming replica for reads that may be a second stale (statements,
// exports, searches, the audit log), used while its lag stays under maxLag.
type replica struct {
	db     *sqlx.DB
	maxLag time.Duration
	log    *slog.Logger

	mu        sync.Mutex
	checkedAt time.Time
	fresh     bool   // the verdict of the last check
	reason    string // why the last check refused the replica, for the log
}

// UseReplica sends the store's stale-tolerant reads to the replica at url while its replay lag
// stays at most maxLag; when it lags more or cannot be reached, those reads go to the primary and
// log says so (once per change of verdict). The replica is not required to be up at start.
func (s *Store) UseReplica(url string, maxLag time.Duration, log *slog.Logger) error {
	connector, err := pq.NewConnector(url)
	if err != nil {
		return fmt.Errorf("store: unable to open replica: %w", err)
	}
	db := sqlx.NewDb(sql.OpenDB(cachingConnector{Connector: connector, size: stmtCacheSize}), "postgres")
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s.replica = &replica{db: db, maxLag: maxLag, log: log, fresh: true}
	return nil
}

// reader is the pool a stale-tolerant read uses: the replica while it is fresh enough, else the
// primary.
func (s *Store) reader(ctx context.Context) *sqlx.DB {
	if s.replica == nil || !s.replica.usable(ctx, s.db) {
		return s.db
	}
	return s.replica.db
}

// read runs fn on the reader; when the replica fails it for want of a connection (it went down
// since its last check), it is marked unusable and fn runs again on the primary. fn only reads, so
// running it twice is harmless.
func (s *Store) read(ctx context.Context, fn func(db *sqlx.DB) error) error {
	db := s.reader(ctx)
	err := fn(db)
	if err != nil && db != s.db && unreachable(ctx, err) {
		s.replica.refuse("unreachable: " + err.Error())
		return fn(s.db)
	}
	return err
}

// onPrimary runs fn on the primary: read's counterpart for reads that must see the latest writes.
func (s *Store) onPrimary(_ context.Context, fn func(db *sqlx.DB) error) error { return fn(s.db) }

// readSnapshot begins a read-only repeatable-read transaction on the reader, on the primary when
// the replica cannot begin one.
func (s *Store) readSnapshot(ctx context.Context) (*sqlx.Tx, error) {
	opts := &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	db := s.reader(ctx)
	tx, err := db.BeginTxx(ctx, opts)
	if err != nil && db != s.db && unreachable(ctx, err) {
		s.replica.refuse("unreachable: " + err.Error())
		tx, err = s.db.BeginTxx(ctx, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("store: unable to begin a read: %w", err)
	}
	return tx, nil
}

// unreachable reports an error of the connection rather than of the query: anything but a
// PostgreSQL error, unless the caller itself gave up. A standby that cancels a query in conflict
// with recovery (40001) counts too.
func unreachable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		return pqErr.Code == "40001" || pqErr.Code.Class() == "57" || pqErr.Code.Class() == "08"
	}
	return true
}

// usable reports whether the replica's last known lag is within the limit, checking again when
// the verdict is older than replicaCheckInterval. One caller checks at a time; the others use the
// verdict they find.
func (r *replica) usable(ctx context.Context, primary *sqlx.DB) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if time.Since(r.checkedAt) < replicaCheckInterval {
		return r.fresh
	}
	lag, err := r.lag(ctx, primary)
	r.checkedAt = time.Now()
	switch {
	case err != nil:
		r.setVerdict(false, "unreachable: "+err.Error())
	case lag > r.maxLag:
		r.setVerdict(false, fmt.Sprintf("lagging %s behind the primary (limit %s)", lag.Round(time.Millisecond), r.maxLag))
	default:
		r.setVerdict(true, "")
	}
	return r.fresh
}

// refuse marks the replica unusable until its next check.
func (r *replica) refuse(reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.checkedAt = time.Now()
	r.setVerdict(false, reason)
}

// setVerdict records a verdict and logs a change of it; the caller holds mu.
func (r *replica) setVerdict(fresh bool, reason string) {
	changed := fresh != r.fresh
	r.fresh, r.reason = fresh, reason
	if !changed || r.log == nil {
		return
	}
	if fresh {
		r.log.Info("read replica back in use")
	} else {
		r.log.Warn("read replica not used: reads fall back to the primary", "reason", reason)
	}
}

// lag is how far the replica's replay is behind the primary. A replica that has replayed all the
// WAL the primary had written a moment before has no lag; otherwise the lag is the age of its last
// replayed transaction, which overstates it after a quiet spell on the primary (a cautious error:
// reads go to the primary a little longer).
func (r *replica) lag(ctx context.Context, primary *sqlx.DB) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, replicaCheckTimeout)
	defer cancel()
	var written string
	if err := primary.GetContext(ctx, &written, `SELECT pg_current_wal_lsn()::text`); err != nil {
		return 0, fmt.Errorf("primary: %w", err)
	}
	var st struct {
		InRecovery bool            `db:"in_recovery"`
		CaughtUp   sql.NullBool    `db:"caught_up"`
		Age        sql.NullFloat64 `db:"age"`
	}
	err := r.db.GetContext(ctx, &st, `
		SELECT pg_is_in_recovery() AS in_recovery,
		       pg_last_wal_replay_lsn() >= $1::pg_lsn AS caught_up,
		       EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8 AS age`, written)
	if err != nil {
		return 0, err
	}
	switch {
	case !st.InRecovery:
		// Not a standby (a promoted replica, or the primary itself): nothing to wait for.
		return 0, nil
	case st.CaughtUp.Valid && st.CaughtUp.Bool:
		return 0, nil
	case !st.Age.Valid:
		return 0, errors.New("the replica has replayed no transaction yet")
	}
	return time.Duration(st.Age.Float64 * float64(time.Second)), nil
}

// closeReplica closes the replica's pool, if any.
func (s *Store) closeReplica() {
	if s.replica != nil {
		_ = s.replica.db.Close()
	}
}
