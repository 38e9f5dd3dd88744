package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// totpSlot names where an operator's authenticator secret is kept: the enrolled one, or one being
// enrolled that a code has not confirmed yet.
type totpSlot string

const (
	enrolledSecret totpSlot = "totp_secret"
	pendingSecret  totpSlot = "pending_totp_secret"
)

// setTOTPSecret seals an operator's authenticator secret and writes it into slot; an empty secret
// removes it. Every write of a secret by team administration and self-service enrolment goes through
// here, so secrets are only ever kept sealed (otp_secrets.go).
func (s *Store) setTOTPSecret(ctx context.Context, q sqlx.ExecerContext, operatorID int64, slot totpSlot, secret string) error {
	var value *string
	if secret != "" {
		sealed, err := s.sealOTPSecret(secret)
		if err != nil {
			return err
		}
		value = &sealed
	}
	if _, err := q.ExecContext(ctx, `UPDATE operators SET `+string(slot)+` = $2 WHERE id = $1`, operatorID, value); err != nil {
		return fmt.Errorf("store: unable to store authenticator secret: %w", err)
	}
	return nil
}

// totpSecretOf reads and opens an operator's authenticator secret from slot ("" when there is none);
// the one read of a secret by team administration and self-service enrolment, beside setTOTPSecret.
func (s *Store) totpSecretOf(ctx context.Context, q sqlx.QueryerContext, operatorID int64, slot totpSlot) (string, error) {
	var stored sql.NullString
	err := sqlx.GetContext(ctx, q, &stored, `SELECT `+string(slot)+` FROM operators WHERE id = $1`, operatorID)
	if err != nil {
		return "", fmt.Errorf("store: unable to read authenticator secret: %w", notFoundIf(err, "operator"))
	}
	if !stored.Valid {
		return "", nil
	}
	return s.openOTPSecret(stored.String)
}
