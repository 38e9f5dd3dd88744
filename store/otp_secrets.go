package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
)

// UseOTPKeys sets the keys that seal TOTP secrets; call it once after Open, before serving.
// Without keys, enrolling an authenticator and checking a code are refused.
func (s *Store) UseOTPKeys(k *OTPKeys) { s.otpKeys = k }

// errNoOTPKeys refuses to handle a TOTP secret without an encryption key.
var errNoOTPKeys = fmt.Errorf("store: OTP_ENCRYPTION_KEY is not set, so TOTP secrets cannot be stored or read")

// sealOTPSecret encrypts a new secret for storage.
func (s *Store) sealOTPSecret(secret string) (string, error) {
	if s.otpKeys == nil {
		return "", errNoOTPKeys
	}
	return s.otpKeys.seal(secret), nil
}

// openOTPSecret decrypts a stored secret.
func (s *Store) openOTPSecret(stored string) (string, error) {
	if s.otpKeys == nil {
		return "", errNoOTPKeys
	}
	secret, _, err := s.otpKeys.open(stored)
	return secret, err
}

// EnrolledOperators counts the operators with an authenticator, whose secrets need a key.
func (s *Store) EnrolledOperators(ctx context.Context) (int, error) {
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM operators WHERE totp_secret IS NOT NULL`); err != nil {
		return 0, fmt.Errorf("store: unable to count enrolled operators: %w", err)
	}
	return n, nil
}

// EncryptOTPSecrets seals with the current key every TOTP secret still in plain text (rows from
// before encryption) or sealed with an old key (after a rotation), in one transaction, and returns
// how many rows it rewrote. Running it again rewrites nothing. A secret that no configured key
// opens stops it with an error, so a wrong key never destroys a secret.
func (s *Store) EncryptOTPSecrets(ctx context.Context) (int, error) {
	if s.otpKeys == nil {
		return 0, errNoOTPKeys
	}
	var n int
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var rows []struct {
			ID     int64  `db:"id"`
			Secret string `db:"totp_secret"`
		}
		if err := tx.SelectContext(ctx, &rows, `SELECT id, totp_secret FROM operators WHERE totp_secret IS NOT NULL ORDER BY id FOR UPDATE`); err != nil {
			return fmt.Errorf("store: unable to read TOTP secrets: %w", err)
		}
		for _, r := range rows {
			plain := r.Secret
			if strings.HasPrefix(r.Secret, otpSealPrefix) {
				secret, current, err := s.otpKeys.open(r.Secret)
				if err != nil {
					return fmt.Errorf("operator %d: %w", r.ID, err)
				}
				if current {
					continue
				}
				plain = secret
			}
			if _, err := tx.ExecContext(ctx, `UPDATE operators SET totp_secret = $2 WHERE id = $1`, r.ID, s.otpKeys.seal(plain)); err != nil {
				return fmt.Errorf("store: unable to seal TOTP secret: %w", err)
			}
			n++
		}
		return nil
	})
	return n, err
}
