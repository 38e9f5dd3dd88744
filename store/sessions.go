package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// ConsoleSession is a logged-in browser session. The cookie carries only its random id.
type ConsoleSession struct {
	OperatorID int64
	Email      string
	CSRFToken  string
	ExpiresAt  time.Time
}

// CreateConsoleSession starts a session for the operator and returns its id; a fresh id at every
// login means a session id planted before login is never promoted. The session ends ttl after now
// whatever happens (the absolute limit).
func (s *Store) CreateConsoleSession(ctx context.Context, actor Actor, operatorID int64, ttl time.Duration, now time.Time) (string, error) {
	id := randomToken()
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO console_sessions (id_hash, operator_id, csrf_token, created_at, last_seen_at, expires_at)
			VALUES ($1, $2, $3, $4, $4, $5)`,
			hashToken(id), operatorID, randomToken(), now, now.Add(ttl))
		if err != nil {
			return fmt.Errorf("store: unable to create session: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM console_sessions WHERE expires_at < $1`, now); err != nil {
			return fmt.Errorf("store: unable to purge sessions: %w", err)
		}
		if err := recordSignIn(ctx, tx, operatorID, now); err != nil {
			return err
		}
		return writeAudit(ctx, tx, actor, Event{Action: "auth.console_login", ObjectType: "operator", ObjectID: operatorID})
	})
	return id, err
}

// ConsoleSessionByID returns a session that is live at now: before its absolute end, used within
// idle, of an active operator; otherwise Unauthorized. With touch, the request counts as activity
// and the idle limit starts again; checks of a long-lived response do not touch, so an open page
// stream never keeps an idle session alive.
func (s *Store) ConsoleSessionByID(ctx context.Context, id string, now time.Time, idle time.Duration, touch bool) (ConsoleSession, error) {
	var row struct {
		OperatorID int64     `db:"operator_id"`
		Email      string    `db:"email"`
		CSRFToken  string    `db:"csrf_token"`
		ExpiresAt  time.Time `db:"expires_at"`
	}
	err := s.db.GetContext(ctx, &row, `
		WITH live AS (
		    SELECT s.id_hash, s.operator_id, o.email, s.csrf_token, s.expires_at
		    FROM console_sessions s JOIN operators o ON o.id = s.operator_id
		    WHERE s.id_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $2 - $3 * interval '1 millisecond'
		      AND o.status = 'ACTIVE'
		), touched AS (
		    UPDATE console_sessions s SET last_seen_at = GREATEST(s.last_seen_at, $2)
		    FROM live WHERE $4 AND s.id_hash = live.id_hash
		)
		SELECT operator_id, email, csrf_token, expires_at FROM live`, hashToken(id), now, idle.Milliseconds(), touch)
	if errors.Is(err, sql.ErrNoRows) {
		return ConsoleSession{}, NewError(CodeUnauthorized, "session expired")
	}
	if err != nil {
		return ConsoleSession{}, fmt.Errorf("store: unable to read session: %w", err)
	}
	return ConsoleSession(row), nil
}

// EndConsoleSession destroys a session (logout), so its cookie no longer works anywhere.
func (s *Store) EndConsoleSession(ctx context.Context, actor Actor, id string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM console_sessions WHERE id_hash = $1`, hashToken(id)); err != nil {
			return fmt.Errorf("store: unable to end session: %w", err)
		}
		return writeAudit(ctx, tx, actor, Event{Action: "auth.console_logout", ObjectType: "operator", ObjectID: actor.OperatorID})
	})
}
