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

// setTOTPSecret writes an operator's authenticator secret into slot; an empty secret removes it.
// Every write of a secret by team administration and self-service enrolment goes through here, so
// how secrets are kept at rest is decided in one place.
func setTOTPSecret(ctx context.Context, q sqlx.ExecerContext, operatorID int64, slot totpSlot, secret string) error {
	var value *string
	if secret != "" {
		value = &secret
	}
	if _, err := q.ExecContext(ctx, `UPDATE operators SET `+string(slot)+` = $2 WHERE id = $1`, operatorID, value); err != nil {
		return fmt.Errorf("store: unable to store authenticator secret: %w", err)
	}
	return nil
}

// totpSecretOf reads an operator's authenticator secret from slot ("" when there is none); the one
// read of a secret by team administration and self-service enrolment, beside setTOTPSecret.
func totpSecretOf(ctx context.Context, q sqlx.QueryerContext, operatorID int64, slot totpSlot) (string, error) {
	var secret sql.NullString
	err := sqlx.GetContext(ctx, q, &secret, `SELECT `+string(slot)+` FROM operators WHERE id = $1`, operatorID)
	if err != nil {
		return "", fmt.Errorf("store: unable to read authenticator secret: %w", notFoundIf(err, "operator"))
	}
	return secret.String, nil
}
