package store

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/pquerna/otp/totp"
)

// RecoveryCodeCount is how many recovery codes an operator receives at each enrolment.
const RecoveryCodeCount = 10

// Enrolment is an authenticator secret offered to an operator, pending until a code confirms it.
type Enrolment struct {
	Secret     string `json:"secret"`
	OTPAuthURI string `json:"otpauthUri"`
}

// startEnrolment keeps a fresh secret as the operator's pending one and returns it.
func (s *Store) startEnrolment(ctx context.Context, tx *sqlx.Tx, operatorID int64, email string) (Enrolment, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "cardconsole", AccountName: email})
	if err != nil {
		return Enrolment{}, fmt.Errorf("store: unable to generate TOTP secret: %w", err)
	}
	if err := s.setTOTPSecret(ctx, tx, operatorID, pendingSecret, key.Secret()); err != nil {
		return Enrolment{}, err
	}
	return Enrolment{Secret: key.Secret(), OTPAuthURI: key.URL()}, nil
}

// confirmEnrolment checks code against the pending secret and makes it the operator's
// authenticator, with a new set of recovery codes (returned in clear, once).
func (s *Store) confirmEnrolment(ctx context.Context, tx *sqlx.Tx, actor Actor, operatorID int64, code string, now time.Time) ([]string, error) {
	pending, err := s.totpSecretOf(ctx, tx, operatorID, pendingSecret)
	if err != nil {
		return nil, err
	}
	if pending == "" {
		return nil, Conflict("no authenticator is being enrolled; start the enrolment first")
	}
	if err := s.checkCode(ctx, tx, actor, operatorID, pending, code, now); err != nil {
		return nil, err
	}
	if err := s.setTOTPSecret(ctx, tx, operatorID, enrolledSecret, pending); err != nil {
		return nil, err
	}
	if err := s.setTOTPSecret(ctx, tx, operatorID, pendingSecret, ""); err != nil {
		return nil, err
	}
	if err := writeAudit(ctx, tx, actor, Event{Action: "operator.otp_enrol", ObjectType: "operator", ObjectID: operatorID}); err != nil {
		return nil, err
	}
	return newRecoveryCodes(ctx, tx, operatorID)
}

// StartEnrolment offers the operator a new authenticator secret; the current one, if any, keeps
// working until ConfirmEnrolment.
func (s *Store) StartEnrolment(ctx context.Context, actor Actor, operatorID int64) (Enrolment, error) {
	var out Enrolment
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var email string
		if err := tx.GetContext(ctx, &email, `SELECT email FROM operators WHERE id = $1 FOR UPDATE`, operatorID); err != nil {
			return notFoundIf(err, "operator")
		}
		var err error
		if out, err = s.startEnrolment(ctx, tx, operatorID, email); err != nil {
			return err
		}
		return writeAudit(ctx, tx, actor, Event{Action: "operator.otp_enrol_start", ObjectType: "operator", ObjectID: operatorID})
	})
	return out, err
}

// ConfirmEnrolment makes the pending secret the operator's authenticator once code matches it, and
// answers its new recovery codes.
func (s *Store) ConfirmEnrolment(ctx context.Context, actor Actor, operatorID int64, code string, now time.Time) ([]string, error) {
	var codes []string
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		codes, err = s.confirmEnrolment(ctx, tx, actor, operatorID, code, now)
		return err
	})
	return codes, err
}

// RegenerateRecoveryCodes replaces the operator's recovery codes (OTP elevation is the caller's).
func (s *Store) RegenerateRecoveryCodes(ctx context.Context, actor Actor, operatorID int64) ([]string, error) {
	var codes []string
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if codes, err = newRecoveryCodes(ctx, tx, operatorID); err != nil {
			return err
		}
		return writeAudit(ctx, tx, actor, Event{Action: "operator.recovery_codes", ObjectType: "operator", ObjectID: operatorID,
			After: map[string]int{"codes": len(codes)}})
	})
	return codes, err
}

// newRecoveryCodes replaces the operator's recovery codes with RecoveryCodeCount fresh ones, stored hashed.
func newRecoveryCodes(ctx context.Context, tx *sqlx.Tx, operatorID int64) ([]string, error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM operator_recovery_codes WHERE operator_id = $1`, operatorID); err != nil {
		return nil, fmt.Errorf("store: unable to remove recovery codes: %w", err)
	}
	codes := make([]string, RecoveryCodeCount)
	hashes := make([][]byte, RecoveryCodeCount)
	for i := range codes {
		codes[i] = recoveryCode()
		hashes[i] = hashToken(normalRecoveryCode(codes[i]))
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO operator_recovery_codes (operator_id, code_hash)
		SELECT $1, unnest($2::bytea[])`, operatorID, pq.ByteaArray(hashes)); err != nil {
		return nil, fmt.Errorf("store: unable to store recovery codes: %w", err)
	}
	return codes, nil
}

const recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// recoveryCode is ten random characters (about 49 bits) in two groups, easy to copy by hand.
func recoveryCode() string {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		panic("store: no randomness: " + err.Error())
	}
	for i := range b {
		b[i] = recoveryAlphabet[int(b[i])%len(recoveryAlphabet)]
	}
	return string(b[:5]) + "-" + string(b[5:])
}

// normalRecoveryCode ignores case, spaces and dashes as typed.
func normalRecoveryCode(code string) string {
	return strings.NewReplacer("-", "", " ", "").Replace(strings.ToLower(strings.TrimSpace(code)))
}

// spendRecoveryCode accepts an unused recovery code of the operator once.
func spendRecoveryCode(ctx context.Context, tx *sqlx.Tx, operatorID int64, code string, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE operator_recovery_codes SET used_at = $3
		WHERE operator_id = $1 AND code_hash = $2 AND used_at IS NULL`, operatorID, hashToken(normalRecoveryCode(code)), now)
	if err != nil {
		return false, fmt.Errorf("store: unable to spend recovery code: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
