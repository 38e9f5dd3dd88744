package store

import (
	"context"
	"fmt"
	"time"
)

// LoginPolicy throttles password guessing: after MaxFailures failed logins within Window for one
// key (an email or a client address), that key is locked for Lockout.
type LoginPolicy struct {
	MaxFailures int
	Window      time.Duration
	Lockout     time.Duration
}

// DefaultLoginPolicy allows 5 failures in 15 minutes, then locks for 15 minutes.
var DefaultLoginPolicy = LoginPolicy{MaxFailures: 5, Window: 15 * time.Minute, Lockout: 15 * time.Minute}

// LoginLocked reports whether any of the keys is locked now.
func (s *Store) LoginLocked(ctx context.Context, now time.Time, keys ...string) (bool, error) {
	var locked bool
	err := s.db.GetContext(ctx, &locked, `SELECT EXISTS (SELECT 1 FROM login_failures WHERE key = ANY($1) AND locked_until > $2)`,
		stringArray(keys), now)
	if err != nil {
		return false, fmt.Errorf("store: unable to check login lock: %w", err)
	}
	return locked, nil
}

// LoginFailed counts a failed login against each key, locking those that reach the limit.
func (s *Store) LoginFailed(ctx context.Context, p LoginPolicy, now time.Time, keys ...string) error {
	for _, key := range keys {
		_, err := s.db.ExecContext(ctx, `
			INSERT INTO login_failures AS f (key, failures, window_start) VALUES ($1, 1, $2)
			ON CONFLICT (key) DO UPDATE SET
			    failures = CASE WHEN f.window_start < $2 - $3 * interval '1 second' THEN 1 ELSE f.failures + 1 END,
			    window_start = CASE WHEN f.window_start < $2 - $3 * interval '1 second' THEN $2 ELSE f.window_start END,
			    locked_until = CASE WHEN f.window_start >= $2 - $3 * interval '1 second' AND f.failures + 1 >= $4
			                        THEN $2 + $5 * interval '1 second' ELSE f.locked_until END`,
			key, now, int64(p.Window/time.Second), p.MaxFailures, int64(p.Lockout/time.Second))
		if err != nil {
			return fmt.Errorf("store: unable to count login failure: %w", err)
		}
	}
	return nil
}

// LoginSucceeded clears the failures of the keys.
func (s *Store) LoginSucceeded(ctx context.Context, keys ...string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM login_failures WHERE key = ANY($1)`, stringArray(keys)); err != nil {
		return fmt.Errorf("store: unable to clear login failures: %w", err)
	}
	return nil
}
