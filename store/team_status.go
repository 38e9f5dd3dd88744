package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// SetOperatorStatus enables or disables a member of the partner's team. Disabling ends every
// console session, sign-in in progress and access and refresh token of the operator in the same
// transaction, so its next request is refused; every partner it belongs to must keep an active
// operator able to grant. An invited operator becomes active only by accepting its invitation.
func (s *Store) SetOperatorStatus(ctx context.Context, actor Actor, partnerID, operatorID int64, status string) (TeamMemberDetail, error) {
	if status != "ACTIVE" && status != "DISABLED" {
		var v Validation
		v.Add("status", "status must be ACTIVE or DISABLED")
		return TeamMemberDetail{}, v.Err()
	}
	var out TeamMemberDetail
	err := s.teamChange(ctx, actor, partnerID, operatorID, "operator.status", func(tx *sqlx.Tx) error {
		var partners []int64
		if err := tx.SelectContext(ctx, &partners, `SELECT DISTINCT partner_id FROM operator_permissions WHERE operator_id = $1`, operatorID); err != nil {
			return fmt.Errorf("store: unable to list partners of operator: %w", err)
		}
		if err := lockPartners(ctx, tx, append(partners, partnerID)...); err != nil {
			return err
		}
		before, err := teamMemberIn(ctx, tx, partnerID, operatorID)
		if err != nil {
			return err
		}
		switch {
		case actor.OperatorID == operatorID && actor.Type == ActorOperator:
			return NewError(CodeForbidden, "you cannot change your own status; ask another admin")
		case before.Status == "INVITED":
			return Conflict("an invited operator becomes active by accepting the invitation")
		case before.Status == status:
			out = before
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE operators SET status = $2 WHERE id = $1`, operatorID, status); err != nil {
			return fmt.Errorf("store: unable to change operator status: %w", err)
		}
		if status == "DISABLED" {
			if err := endEverySession(ctx, tx, operatorID); err != nil {
				return err
			}
			if err := ensureGranters(ctx, tx, partners...); err != nil {
				return err
			}
		}
		out = before
		out.Status = status
		return writeAudit(ctx, tx, actor, Event{PartnerID: partnerID, Action: "operator.status", ObjectType: "operator",
			ObjectID: operatorID, Before: map[string]string{"status": before.Status}, After: map[string]string{"status": status}})
	})
	return out, err
}

// endEverySession ends the operator's console sessions, pending sign-ins and API tokens.
func endEverySession(ctx context.Context, tx *sqlx.Tx, operatorID int64) error {
	for _, q := range []string{
		`DELETE FROM console_sessions WHERE operator_id = $1`,
		`DELETE FROM signin_challenges WHERE operator_id = $1`,
		`UPDATE api_tokens SET revoked_at = now() WHERE operator_id = $1 AND revoked_at IS NULL`,
	} {
		if _, err := tx.ExecContext(ctx, q, operatorID); err != nil {
			return fmt.Errorf("store: unable to end the operator's sessions: %w", err)
		}
	}
	return nil
}

// ResetAuthenticator removes a team member's authenticator and recovery codes (OTP elevation is the
// caller's): it enrols a new one at its next sign-in that needs a code.
func (s *Store) ResetAuthenticator(ctx context.Context, actor Actor, partnerID, operatorID int64) error {
	return s.teamChange(ctx, actor, partnerID, operatorID, "operator.otp_reset", func(tx *sqlx.Tx) error {
		before, err := teamMemberIn(ctx, tx, partnerID, operatorID)
		if err != nil {
			return err
		}
		if actor.Type == ActorOperator && actor.OperatorID == operatorID {
			return NewError(CodeForbidden, "reset your own authenticator from My account")
		}
		if err := s.setTOTPSecret(ctx, tx, operatorID, enrolledSecret, ""); err != nil {
			return err
		}
		if err := s.setTOTPSecret(ctx, tx, operatorID, pendingSecret, ""); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM operator_recovery_codes WHERE operator_id = $1`, operatorID); err != nil {
			return fmt.Errorf("store: unable to remove recovery codes: %w", err)
		}
		return writeAudit(ctx, tx, actor, Event{PartnerID: partnerID, Action: "operator.otp_reset", ObjectType: "operator",
			ObjectID: operatorID, Before: map[string]bool{"otpEnrolled": before.OTPEnrolled}, After: map[string]bool{"otpEnrolled": false}})
	})
}
