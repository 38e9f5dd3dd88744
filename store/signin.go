package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/pquerna/otp/totp"
)

// SignInChallengeTTL is how long the code step of a sign-in waits after the password.
const SignInChallengeTTL = 5 * time.Minute

// SecondFactorPolicies are the values of a partner's second-factor policy: ALL operators with a
// grant on it, the PRIVILEGED ones (SecondFactorPermissions), or OFF.
var SecondFactorPolicies = []string{"ALL", "PRIVILEGED", "OFF"}

// SecondFactorRequired reports whether the operator must give a one-time code to sign in: some
// partner it holds a grant on requires it of every operator, or of operators holding an approving
// or money-moving permission there and it holds one.
func (s *Store) SecondFactorRequired(ctx context.Context, operatorID int64) (bool, error) {
	var required bool
	err := s.db.GetContext(ctx, &required, `
		SELECT EXISTS (
		    SELECT 1 FROM operator_permissions op JOIN partners p ON p.id = op.partner_id
		    WHERE op.operator_id = $1
		      AND (p.second_factor = 'ALL' OR (p.second_factor = 'PRIVILEGED' AND op.permission = ANY($2))))`,
		operatorID, pq.Array(SecondFactorPermissions))
	if err != nil {
		return false, fmt.Errorf("store: unable to read second-factor policy: %w", err)
	}
	return required, nil
}

// SetSecondFactorPolicy sets a partner's second-factor policy (one of SecondFactorPolicies).
func (s *Store) SetSecondFactorPolicy(ctx context.Context, actor Actor, partnerID int64, policy string) error {
	if !slices.Contains(SecondFactorPolicies, policy) {
		var v Validation
		v.Add("policy", "policy must be ALL, PRIVILEGED or OFF")
		return v.Err()
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE partners SET second_factor = $2 WHERE id = $1`, partnerID, policy)
		if err != nil {
			return fmt.Errorf("store: unable to set second-factor policy: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return NotFound("partner")
		}
		return writeAudit(ctx, tx, actor, Event{PartnerID: partnerID, Action: "partner.second_factor", ObjectType: "partner",
			ObjectID: partnerID, After: map[string]string{"policy": policy}})
	})
}

// SignInChallenge is the code step of a sign-in: a short-lived token for the second call and, for an
// operator without an authenticator, the secret to enrol.
type SignInChallenge struct {
	Token       string    `json:"challenge"`
	ExpiresAt   time.Time `json:"expiresAt"`
	EnrolSecret string    `json:"enrolSecret,omitempty"`
	EnrolURI    string    `json:"otpauthUri,omitempty"`
}

// StartSignIn records that the operator gave the right password and must now give a code; appID is
// the application of an API sign-in (0 in the console). The refusal is audited as "OTP required".
func (s *Store) StartSignIn(ctx context.Context, actor Actor, op Operator, appID int64, now time.Time) (SignInChallenge, error) {
	ch := SignInChallenge{Token: randomToken(), ExpiresAt: now.Add(SignInChallengeTTL)}
	var pending *string
	if !op.HasOTP {
		key, err := totp.Generate(totp.GenerateOpts{Issuer: "cardconsole", AccountName: op.Email})
		if err != nil {
			return ch, fmt.Errorf("store: unable to generate TOTP secret: %w", err)
		}
		ch.EnrolSecret, ch.EnrolURI = key.Secret(), key.URL()
		sealed, err := s.sealOTPSecret(ch.EnrolSecret)
		if err != nil {
			return ch, err
		}
		pending = &sealed
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM signin_challenges WHERE expires_at < $1`, now); err != nil {
			return fmt.Errorf("store: unable to purge sign-in challenges: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO signin_challenges (token_hash, operator_id, application_id, enrol_secret, expires_at)
			VALUES ($1, $2, $3, $4, $5)`, hashToken(ch.Token), op.ID, nullID(appID), pending, ch.ExpiresAt); err != nil {
			return fmt.Errorf("store: unable to start sign-in: %w", err)
		}
		return writeAudit(ctx, tx, actor, Event{Action: "auth.otp_required", ObjectType: "operator", ObjectID: op.ID,
			After: map[string]any{"reason": "sign-in needs a one-time code", "enrol": pending != nil}})
	})
	return ch, err
}

// PendingSignIn is what the code step shows: who signs in and, when enrolling, the secret.
type PendingSignIn struct {
	Email       string
	EnrolSecret string
}

// SignInChallengeByToken returns a live challenge, or Unauthorized.
func (s *Store) SignInChallengeByToken(ctx context.Context, token string, now time.Time) (PendingSignIn, error) {
	var row struct {
		Email  string         `db:"email"`
		Secret sql.NullString `db:"enrol_secret"`
	}
	err := s.db.GetContext(ctx, &row, `
		SELECT o.email, c.enrol_secret FROM signin_challenges c JOIN operators o ON o.id = c.operator_id
		WHERE c.token_hash = $1 AND c.expires_at > $2`, hashToken(token), now)
	if errors.Is(err, sql.ErrNoRows) {
		return PendingSignIn{}, errChallengeExpired()
	}
	if err != nil {
		return PendingSignIn{}, fmt.Errorf("store: unable to read sign-in: %w", err)
	}
	pending := PendingSignIn{Email: row.Email}
	if row.Secret.Valid {
		if pending.EnrolSecret, err = s.openOTPSecret(row.Secret.String); err != nil {
			return PendingSignIn{}, err
		}
	}
	return pending, nil
}

func errChallengeExpired() *Error {
	return NewError(CodeUnauthorized, "the sign-in expired or is unknown; sign in with your password again")
}

// CompleteSignIn checks the code of a challenge (under the operator's code lockout) and spends the
// challenge; an enrolling operator's secret is kept from then on. appID must be the application the
// challenge was issued to (0 in the console). A wrong code leaves the challenge usable until it
// expires or the lockout stops it.
func (s *Store) CompleteSignIn(ctx context.Context, actor Actor, token string, appID int64, code string, now time.Time) (Operator, error) {
	var op Operator
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var ch struct {
			OperatorID int64          `db:"operator_id"`
			AppID      int64          `db:"application_id"`
			Secret     sql.NullString `db:"enrol_secret"`
		}
		err := tx.GetContext(ctx, &ch, `
			SELECT operator_id, COALESCE(application_id, 0) AS application_id, enrol_secret FROM signin_challenges
			WHERE token_hash = $1 AND expires_at > $2 FOR UPDATE`, hashToken(token), now)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && ch.AppID != appID) {
			return errChallengeExpired()
		}
		if err != nil {
			return fmt.Errorf("store: unable to read sign-in: %w", err)
		}
		actor.OperatorID = ch.OperatorID
		var pending string
		if ch.Secret.Valid {
			if pending, err = s.openOTPSecret(ch.Secret.String); err != nil {
				return err
			}
		}
		if err := s.checkCode(ctx, tx, actor, ch.OperatorID, pending, code, now); err != nil {
			return err
		}
		if ch.Secret.Valid {
			if _, err := tx.ExecContext(ctx, `UPDATE operators SET totp_secret = $2 WHERE id = $1 AND totp_secret IS NULL`,
				ch.OperatorID, ch.Secret.String); err != nil {
				return fmt.Errorf("store: unable to enrol authenticator: %w", err)
			}
			if err := writeAudit(ctx, tx, actor, Event{Action: "operator.otp_enrol", ObjectType: "operator", ObjectID: ch.OperatorID}); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM signin_challenges WHERE token_hash = $1`, hashToken(token)); err != nil {
			return fmt.Errorf("store: unable to spend sign-in: %w", err)
		}
		err = tx.GetContext(ctx, &op, `SELECT `+operatorColumns+` FROM operators WHERE id = $1 AND status = 'ACTIVE'`, ch.OperatorID)
		if errors.Is(err, sql.ErrNoRows) {
			return errChallengeExpired()
		}
		return err
	})
	return op, err
}

// EnrolOTP gives an operator a known authenticator secret (the demo's printed secrets).
func (s *Store) EnrolOTP(ctx context.Context, actor Actor, operatorID int64, secret string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		sealed, err := s.sealOTPSecret(secret)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE operators SET totp_secret = $2 WHERE id = $1`, operatorID, sealed); err != nil {
			return fmt.Errorf("store: unable to enrol authenticator: %w", err)
		}
		return writeAudit(ctx, tx, actor, Event{Action: "operator.otp_enrol", ObjectType: "operator", ObjectID: operatorID})
	})
}
