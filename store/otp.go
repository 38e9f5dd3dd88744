package store

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"fmt"
	"regexp"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// OTPPolicy is how one-time codes are checked: RFC 6238 with 30-second steps, one step of drift
// either way, and a lockout after repeated wrong codes.
type OTPPolicy struct {
	MaxFailures int           // wrong codes in a row before the lockout
	Lockout     time.Duration // how long the lockout lasts
}

// DefaultOTPPolicy locks an operator out for 15 minutes after 5 wrong codes.
var DefaultOTPPolicy = OTPPolicy{MaxFailures: 5, Lockout: 15 * time.Minute}

const otpPeriod = 30

var otpPattern = regexp.MustCompile(`^[0-9]{6}$`)

// VerifyOTP accepts a 6-digit TOTP code of the operator once, or one of its recovery codes once. A wrong code counts towards the
// lockout; a code whose time step was already used is refused as a replay; a locked operator is
// refused whatever the code. A missing code is refused and audited.
func (s *Store) VerifyOTP(ctx context.Context, actor Actor, operatorID int64, code string, now time.Time) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		return s.checkCode(ctx, tx, actor, operatorID, "", code, now)
	})
}

// checkCode verifies a code inside tx against the operator's secret, or against pending (a secret
// being enrolled, in clear) when it is set. The operator's row lock serialises its attempts, so the
// lockout is checked and the failure counted before any other attempt compares a code.
func (s *Store) checkCode(ctx context.Context, tx *sqlx.Tx, actor Actor, operatorID int64, pending, code string, now time.Time) error {
	var op struct {
		Secret      sql.NullString `db:"totp_secret"`
		LockedUntil sql.NullTime   `db:"otp_locked_until"`
	}
	err := tx.GetContext(ctx, &op, `SELECT totp_secret, otp_locked_until FROM operators WHERE id = $1 FOR UPDATE`, operatorID)
	if err != nil {
		return fmt.Errorf("store: unable to read operator: %w", notFoundIf(err, "operator"))
	}
	secret := pending
	if secret == "" && op.Secret.Valid {
		if secret, err = s.openOTPSecret(op.Secret.String); err != nil {
			return err
		}
	}
	if secret == "" {
		return otpRequired(ctx, tx, actor, operatorID, "this action needs a one-time code, and no authenticator is enrolled for this operator")
	}
	if op.LockedUntil.Valid && op.LockedUntil.Time.After(now) {
		return NewError(CodeTooManyAttempts, "too many wrong codes; try again later")
	}
	if code == "" {
		return otpRequired(ctx, tx, actor, operatorID, "this action needs a one-time code")
	}
	if pending == "" && !otpPattern.MatchString(code) {
		return s.checkRecoveryCode(ctx, tx, actor, operatorID, code, now)
	}
	s.compared.OTPCodes.Add(1)
	step, ok := matchTOTP(secret, code, now)
	if !ok {
		return s.otpFailure(ctx, tx, actor, operatorID, now)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO otp_used_steps (operator_id, step) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
		operatorID, step)
	if err != nil {
		return fmt.Errorf("store: unable to record code use: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return s.otpFailure(ctx, tx, actor, operatorID, now)
	}
	_, err = tx.ExecContext(ctx, `UPDATE operators SET otp_failed_attempts = 0, otp_locked_until = NULL WHERE id = $1`, operatorID)
	if err != nil {
		return fmt.Errorf("store: unable to reset code failures: %w", err)
	}
	return nil
}

// checkRecoveryCode accepts one of the operator's unused recovery codes in place of a TOTP code, once;
// an unknown or spent one counts as a wrong code.
func (s *Store) checkRecoveryCode(ctx context.Context, tx *sqlx.Tx, actor Actor, operatorID int64, code string, now time.Time) error {
	ok, err := spendRecoveryCode(ctx, tx, operatorID, code, now)
	if err != nil {
		return err
	}
	if !ok {
		return s.otpFailure(ctx, tx, actor, operatorID, now)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE operators SET otp_failed_attempts = 0, otp_locked_until = NULL WHERE id = $1`, operatorID); err != nil {
		return fmt.Errorf("store: unable to reset code failures: %w", err)
	}
	return writeAudit(ctx, tx, actor, Event{Action: "auth.recovery_code_used", ObjectType: "operator", ObjectID: operatorID})
}

// otpRequired audits a refusal for a missing code (or a missing authenticator) and answers it.
func otpRequired(ctx context.Context, tx *sqlx.Tx, actor Actor, operatorID int64, message string) error {
	if err := writeAudit(ctx, tx, actor, Event{Action: "auth.otp_required", ObjectType: "operator", ObjectID: operatorID,
		After: map[string]any{"reason": message}}); err != nil {
		return err
	}
	return commitThen(NewError(CodeOTPRequired, message))
}

// otpFailure counts a wrong or replayed code, locks the operator out at the limit, and answers the
// refusal; the count is committed although the action is refused.
func (s *Store) otpFailure(ctx context.Context, tx *sqlx.Tx, actor Actor, operatorID int64, now time.Time) error {
	policy := DefaultOTPPolicy
	var failures int
	err := tx.GetContext(ctx, &failures, `
		UPDATE operators SET otp_failed_attempts = otp_failed_attempts + 1,
		       otp_locked_until = CASE WHEN otp_failed_attempts + 1 >= $2 THEN $3::timestamptz ELSE otp_locked_until END
		WHERE id = $1 RETURNING otp_failed_attempts`, operatorID, policy.MaxFailures, now.Add(policy.Lockout))
	if err != nil {
		return fmt.Errorf("store: unable to count code failure: %w", err)
	}
	if failures >= policy.MaxFailures {
		if _, err := tx.ExecContext(ctx, `UPDATE operators SET otp_failed_attempts = 0 WHERE id = $1`, operatorID); err != nil {
			return fmt.Errorf("store: unable to reset code failures: %w", err)
		}
	}
	if err := writeAudit(ctx, tx, actor, Event{Action: "auth.otp_refused", ObjectType: "operator", ObjectID: operatorID,
		After: map[string]any{"failures": failures}}); err != nil {
		return err
	}
	return commitThen(NewError(CodeOTPInvalid, "the code is wrong, expired or already used"))
}

// matchTOTP returns the time step whose code equals code, trying one step either side of now.
func matchTOTP(secret, code string, now time.Time) (int64, bool) {
	if !otpPattern.MatchString(code) {
		return 0, false
	}
	opts := totp.ValidateOpts{Period: otpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	current := now.Unix() / otpPeriod
	for _, step := range []int64{current - 1, current, current + 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*otpPeriod, 0), opts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}

// OTPSecretCode returns the current code of an operator's secret; demo seeding and tests use it.
func OTPSecretCode(secret string, at time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: otpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}
