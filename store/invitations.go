package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// DefaultInvitationTTL is how long an invitation link works unless INVITATION_TTL says otherwise.
const DefaultInvitationTTL = 72 * time.Hour

// noPassword is the password hash of an invited operator: bcrypt never matches it, so nobody signs
// in before the invitation sets a password.
const noPassword = "!"

// Invite is who to invite to a partner's team and with which grants.
type Invite struct {
	Email       string
	Name        string
	Roles       []string
	Permissions []string
}

// Invitation is the outcome of an invite: the operator and, for one that has not accepted yet, the
// single-use token of its invitation link.
type Invitation struct {
	OperatorID int64     `json:"operatorId"`
	Email      string    `json:"email"`
	Status     string    `json:"status"`
	Token      string    `json:"-"`
	ExpiresAt  time.Time `json:"expiresAt,omitzero"`
}

// InviteOperator adds an operator to the partner's team: a new email becomes an INVITED operator
// with a fresh invitation link valid for ttl (earlier links of that operator stop working); an
// existing operator receives the grants in addition to what it holds. The inviter may grant only
// what it holds itself.
func (s *Store) InviteOperator(ctx context.Context, actor Actor, partnerID int64, in Invite, ttl time.Duration, now time.Time) (Invitation, error) {
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	in.Name = strings.TrimSpace(in.Name)
	var v Validation
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
		v.Add("email", "email must be a valid address")
	}
	if len(in.Name) > 200 {
		v.Add("name", "name must have at most 200 characters")
	}
	if len(in.Roles) == 0 && len(in.Permissions) == 0 {
		v.Add("roles", "give at least one role or permission")
	}
	if err := v.Err(); err != nil {
		return Invitation{}, err
	}
	if err := validateGrants(in.Roles, in.Permissions); err != nil {
		return Invitation{}, err
	}
	out := Invitation{Email: in.Email}
	err := s.teamChange(ctx, actor, partnerID, 0, "operator.invite", func(tx *sqlx.Tx) error {
		if err := lockPartners(ctx, tx, partnerID); err != nil {
			return err
		}
		err := tx.GetContext(ctx, &out, `SELECT id AS operatorid, email, status FROM operators WHERE lower(email) = $1 FOR UPDATE`, in.Email)
		if errors.Is(err, sql.ErrNoRows) {
			err = tx.GetContext(ctx, &out.OperatorID, `INSERT INTO operators (email, name, password_hash, status)
				VALUES ($1, $2, $3, 'INVITED') RETURNING id`, in.Email, in.Name, noPassword)
			out.Status = "INVITED"
		}
		if err != nil {
			return fmt.Errorf("store: unable to find or create operator: %w", err)
		}
		before, err := permissionsIn(ctx, tx, out.OperatorID, partnerID)
		if err != nil {
			return err
		}
		after := expandRoles(in.Roles, append(slices.Clone(before), in.Permissions...))
		if err := checkGrantRules(ctx, tx, actor, partnerID, out.OperatorID, before, after); err != nil {
			return err
		}
		if err := writeGrants(ctx, tx, out.OperatorID, partnerID, after); err != nil {
			return err
		}
		if out.Status == "INVITED" {
			if _, err := tx.ExecContext(ctx, `DELETE FROM invitations WHERE operator_id = $1 AND used_at IS NULL`, out.OperatorID); err != nil {
				return fmt.Errorf("store: unable to replace invitation: %w", err)
			}
			out.Token, out.ExpiresAt = randomToken(), now.Add(ttl)
			if _, err := tx.ExecContext(ctx, `INSERT INTO invitations (token_hash, operator_id, partner_id, invited_by, expires_at)
				VALUES ($1, $2, $3, $4, $5)`, hashToken(out.Token), out.OperatorID, partnerID, actor.id(), out.ExpiresAt); err != nil {
				return fmt.Errorf("store: unable to create invitation: %w", err)
			}
		}
		return writeAudit(ctx, tx, actor, Event{PartnerID: partnerID, Action: "operator.invite", ObjectType: "operator",
			ObjectID: out.OperatorID, Before: map[string]any{"permissions": before},
			After: map[string]any{"email": in.Email, "status": out.Status, "roles": rolesCovered(after), "permissions": after}})
	})
	return out, err
}

// PendingInvitation is what the invitation page shows before it is accepted.
type PendingInvitation struct {
	OperatorID int64     `db:"operator_id" json:"-"`
	Email      string    `db:"email" json:"email"`
	Name       string    `db:"name" json:"name"`
	Partner    string    `db:"partner" json:"partner"`
	ExpiresAt  time.Time `db:"expires_at" json:"expiresAt"`
	// PasswordSet is true once the first step is done and the authenticator remains to be confirmed.
	PasswordSet bool `db:"password_set" json:"passwordSet"`
}

func errInvitationInvalid() *Error {
	return NewError(CodeInvitationInvalid, "this invitation link is unknown, expired or already used; ask your admin for a new one")
}

// invitationIn reads a live invitation by token, locking it when lock is set.
func invitationIn(ctx context.Context, q sqlx.QueryerContext, token string, now time.Time, lock bool) (PendingInvitation, error) {
	var inv PendingInvitation
	query := `SELECT i.operator_id, o.email, o.name, p.name AS partner, i.expires_at, o.password_hash <> '` + noPassword + `' AS password_set
		FROM invitations i JOIN operators o ON o.id = i.operator_id JOIN partners p ON p.id = i.partner_id
		WHERE i.token_hash = $1 AND i.used_at IS NULL AND i.expires_at > $2 AND o.status = 'INVITED'`
	if lock {
		query += ` FOR UPDATE OF i, o`
	}
	err := sqlx.GetContext(ctx, q, &inv, query, hashToken(token), now)
	if errors.Is(err, sql.ErrNoRows) {
		return inv, errInvitationInvalid()
	}
	if err != nil {
		return inv, fmt.Errorf("store: unable to read invitation: %w", err)
	}
	return inv, nil
}

// InvitationByToken returns a live invitation, or INVITATION_INVALID.
func (s *Store) InvitationByToken(ctx context.Context, token string, now time.Time) (PendingInvitation, error) {
	return invitationIn(ctx, s.db, token, now, false)
}

// SetInvitationPassword is the first step of accepting an invitation: the operator's name and
// password (under the password policy), and a new authenticator secret to confirm.
func (s *Store) SetInvitationPassword(ctx context.Context, actor Actor, token, name, password string, now time.Time) (Enrolment, error) {
	var out Enrolment
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		inv, err := invitationIn(ctx, tx, token, now, true)
		if err != nil {
			return err
		}
		name = strings.TrimSpace(name)
		var v Validation
		if name == "" || len(name) > 200 {
			v.Add("name", "name is required (at most 200 characters)")
		}
		if err := v.Err(); err != nil {
			return err
		}
		if err := CheckPasswordPolicy(inv.Email, password); err != nil {
			return err
		}
		hash, err := s.hashPassword(password)
		if err != nil {
			return fmt.Errorf("store: unable to hash password: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE operators SET name = $2, password_hash = $3 WHERE id = $1`,
			inv.OperatorID, name, string(hash)); err != nil {
			return fmt.Errorf("store: unable to set password: %w", err)
		}
		if out, err = s.startEnrolment(ctx, tx, inv.OperatorID, inv.Email); err != nil {
			return err
		}
		actor.OperatorID, actor.Label = inv.OperatorID, inv.Email
		return writeAudit(ctx, tx, actor, Event{Action: "operator.invitation_password", ObjectType: "operator", ObjectID: inv.OperatorID,
			After: map[string]string{"name": name}})
	})
	return out, err
}

// AcceptedInvitation is the outcome of accepting an invitation: the now active operator and its
// recovery codes, shown once.
type AcceptedInvitation struct {
	OperatorID    int64    `json:"operatorId"`
	Email         string   `json:"email"`
	RecoveryCodes []string `json:"recoveryCodes"`
}

// CompleteInvitation confirms the authenticator of an invitation with a code, activates the
// operator and spends the link.
func (s *Store) CompleteInvitation(ctx context.Context, actor Actor, token, code string, now time.Time) (AcceptedInvitation, error) {
	var out AcceptedInvitation
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		inv, err := invitationIn(ctx, tx, token, now, true)
		if err != nil {
			return err
		}
		if !inv.PasswordSet {
			return Conflict("set your name and password first")
		}
		actor.OperatorID, actor.Label = inv.OperatorID, inv.Email
		codes, err := s.confirmEnrolment(ctx, tx, actor, inv.OperatorID, code, now)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE operators SET status = 'ACTIVE' WHERE id = $1`, inv.OperatorID); err != nil {
			return fmt.Errorf("store: unable to activate operator: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET used_at = $2 WHERE token_hash = $1`, hashToken(token), now); err != nil {
			return fmt.Errorf("store: unable to spend invitation: %w", err)
		}
		out = AcceptedInvitation{OperatorID: inv.OperatorID, Email: inv.Email, RecoveryCodes: codes}
		return writeAudit(ctx, tx, actor, Event{Action: "operator.invitation_accepted", ObjectType: "operator", ObjectID: inv.OperatorID,
			Before: map[string]string{"status": "INVITED"}, After: map[string]string{"status": "ACTIVE"}})
	})
	return out, err
}
