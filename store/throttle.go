package store

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"
)

// LoginPolicy throttles guessing: within Window, MaxFailures attempts are let through for one key (an
// email, a merchant or a client address); the next one locks the key for Lockout.
type LoginPolicy struct {
	MaxFailures int
	Window      time.Duration
	Lockout     time.Duration
}

// DefaultLoginPolicy allows 5 attempts in 15 minutes, then locks for 15 minutes.
var DefaultLoginPolicy = LoginPolicy{MaxFailures: 5, Window: 15 * time.Minute, Lockout: 15 * time.Minute}

// AddressLoginPolicy is the limit of one client address: four emails' worth of attempts.
var AddressLoginPolicy = LoginPolicy{MaxFailures: 20, Window: 15 * time.Minute, Lockout: 15 * time.Minute}

// ThrottleKey is one counter an attempt is charged to, with its limit.
type ThrottleKey struct {
	Key    string
	Policy LoginPolicy
}

// ClaimAttempt charges one attempt to every key before the secret is compared, and reports whether
// the attempt may go on: false when a key is locked or has used up its window. Each upsert holds
// the key's row lock, so parallel attempts are counted one after the other and never more than
// MaxFailures of them are let through; a success gives its slot back (AttemptSucceeded).
func (s *Store) ClaimAttempt(ctx context.Context, now time.Time, keys ...ThrottleKey) (bool, error) {
	allowed := true
	for _, k := range keys {
		var ok bool
		err := s.db.GetContext(ctx, &ok, `
			INSERT INTO login_failures AS f (key, failures, window_start) VALUES ($1, 1, $2)
			ON CONFLICT (key) DO UPDATE SET
			    failures = CASE WHEN f.locked_until <= $2 OR (f.locked_until IS NULL AND f.window_start < $2 - $3 * interval '1 second')
			                    THEN 1 ELSE LEAST(f.failures + 1, $4 + 1) END,
			    window_start = CASE WHEN f.locked_until <= $2 OR (f.locked_until IS NULL AND f.window_start < $2 - $3 * interval '1 second')
			                        THEN $2 ELSE f.window_start END,
			    locked_until = CASE WHEN f.locked_until <= $2 OR (f.locked_until IS NULL AND f.window_start < $2 - $3 * interval '1 second')
			                             THEN NULL
			                        WHEN f.locked_until IS NOT NULL THEN f.locked_until
			                        WHEN f.failures + 1 > $4 THEN $2 + $5 * interval '1 second'
			                        ELSE NULL END
			RETURNING failures <= $4 AND locked_until IS NULL`,
			k.Key, now, int64(k.Policy.Window/time.Second), k.Policy.MaxFailures, int64(k.Policy.Lockout/time.Second))
		if err != nil {
			return false, fmt.Errorf("store: unable to count sign-in attempt: %w", err)
		}
		allowed = allowed && ok
	}
	return allowed, nil
}

// AttemptSucceeded clears the reset keys (the account signed in, its failures are forgotten) and
// gives back the slot claimed on the refund keys (a shared address keeps its other attempts).
func (s *Store) AttemptSucceeded(ctx context.Context, reset []string, refund []string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM login_failures WHERE key = ANY($1)`, stringArray(reset)); err != nil {
		return fmt.Errorf("store: unable to clear sign-in attempts: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE login_failures SET failures = GREATEST(failures - 1, 0)
		WHERE key = ANY($1) AND locked_until IS NULL`, stringArray(refund)); err != nil {
		return fmt.Errorf("store: unable to give back a sign-in attempt: %w", err)
	}
	return nil
}

// Comparisons counts the secrets this store compared since it opened, by kind: what the throttles
// are meant to bound, for monitoring and for the tests that prove them.
type Comparisons struct {
	Passwords  atomic.Int64 // operator passwords (bcrypt)
	AppSecrets atomic.Int64 // application secrets
	OTPCodes   atomic.Int64 // one-time codes
}

// Compared returns the store's comparison counters.
func (s *Store) Compared() *Comparisons { return &s.compared }
