package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/crypto/bcrypt"
)

// recordSignIn keeps when the operator last signed in, for the team list.
func recordSignIn(ctx context.Context, tx *sqlx.Tx, operatorID int64, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE operators SET last_sign_in_at = $2 WHERE id = $1`, operatorID, now); err != nil {
		return fmt.Errorf("store: unable to record sign-in: %w", err)
	}
	return nil
}

// PartnerGrants is what an operator holds on one partner.
type PartnerGrants struct {
	PartnerID   int64    `json:"partnerId"`
	Partner     string   `json:"partner"`
	Roles       []string `json:"roles"`
	Permissions []string `json:"permissions"`
}

// Account is an operator's own view of itself.
type Account struct {
	ID                int64           `db:"id" json:"id"`
	Email             string          `db:"email" json:"email"`
	Name              string          `db:"name" json:"name"`
	Status            string          `db:"status" json:"status"`
	OTPEnrolled       bool            `db:"otp_enrolled" json:"otpEnrolled"`
	RecoveryCodesLeft int             `db:"recovery_codes_left" json:"recoveryCodesLeft"`
	LastSignInAt      *time.Time      `db:"last_sign_in_at" json:"lastSignInAt"`
	Grants            []PartnerGrants `db:"-" json:"grants"`
}

// AccountOf returns the operator's account with its grants on every partner.
func (s *Store) AccountOf(ctx context.Context, operatorID int64) (Account, error) {
	var a Account
	err := s.db.GetContext(ctx, &a, `
		SELECT o.id, o.email, o.name, o.status, o.totp_secret IS NOT NULL AS otp_enrolled, o.last_sign_in_at,
		       (SELECT count(*) FROM operator_recovery_codes c WHERE c.operator_id = o.id AND c.used_at IS NULL) AS recovery_codes_left
		FROM operators o WHERE o.id = $1`, operatorID)
	if err != nil {
		return a, notFoundIf(err, "operator")
	}
	var partners []struct {
		ID   int64  `db:"id"`
		Name string `db:"name"`
	}
	if err := s.db.SelectContext(ctx, &partners, `SELECT p.id, p.name FROM partners p
		WHERE p.id IN (SELECT partner_id FROM operator_permissions WHERE operator_id = $1) ORDER BY p.id`, operatorID); err != nil {
		return a, fmt.Errorf("store: unable to list partners of operator: %w", err)
	}
	a.Grants = []PartnerGrants{}
	for _, p := range partners {
		perms, err := permissionsIn(ctx, s.db, operatorID, p.ID)
		if err != nil {
			return a, err
		}
		a.Grants = append(a.Grants, PartnerGrants{PartnerID: p.ID, Partner: p.Name, Roles: rolesCovered(perms), Permissions: perms})
	}
	return a, nil
}

// ChangePassword replaces the operator's password after checking the current one; the new one
// follows the password policy. A wrong current password is refused and audited.
func (s *Store) ChangePassword(ctx context.Context, actor Actor, operatorID int64, current, next string) error {
	var row struct {
		Email string `db:"email"`
		Hash  string `db:"password_hash"`
	}
	if err := s.db.GetContext(ctx, &row, `SELECT email, password_hash FROM operators WHERE id = $1`, operatorID); err != nil {
		return notFoundIf(err, "operator")
	}
	s.compared.Passwords.Add(1)
	if bcrypt.CompareHashAndPassword([]byte(row.Hash), []byte(current)) != nil {
		if err := s.Audit(ctx, actor, Event{Action: "operator.password.refused", ObjectType: "operator", ObjectID: operatorID,
			After: map[string]string{"reason": "wrong current password"}}); err != nil {
			return err
		}
		var v Validation
		v.Add("currentPassword", "the current password is wrong")
		return v.Err()
	}
	if err := CheckPasswordPolicy(row.Email, next); err != nil {
		return err
	}
	hash, err := s.hashPassword(next)
	if err != nil {
		return fmt.Errorf("store: unable to hash password: %w", err)
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE operators SET password_hash = $2 WHERE id = $1`, operatorID, string(hash)); err != nil {
			return fmt.Errorf("store: unable to change password: %w", err)
		}
		return writeAudit(ctx, tx, actor, Event{Action: "operator.password", ObjectType: "operator", ObjectID: operatorID})
	})
}
