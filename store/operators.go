package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/pquerna/otp/totp"
	"golang.org/x/crypto/bcrypt"
)

// Operator is a back-office user.
type Operator struct {
	ID        int64     `db:"id" json:"id"`
	Email     string    `db:"email" json:"email"`
	HasOTP    bool      `db:"has_otp" json:"hasOtp"`
	Status    string    `db:"status" json:"status"`
	CreatedAt time.Time `db:"created_at" json:"createdAt"`
}

// NewOperator is the outcome of CreateOperator: the operator and, when a TOTP secret was enrolled,
// its otpauth:// URI for an authenticator app.
type NewOperator struct {
	ID         int64  `json:"id"`
	OTPAuthURI string `json:"otpauthUri,omitempty"`
}

// CreateOperator creates an operator with a bcrypt-hashed password and, when withOTP is set, a TOTP secret.
func (s *Store) CreateOperator(ctx context.Context, actor Actor, email, password string, withOTP bool) (NewOperator, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	var v Validation
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		v.Add("email", "email must be a valid address")
	}
	if err := v.Err(); err != nil {
		return NewOperator{}, err
	}
	if err := CheckPasswordPolicy(email, password); err != nil {
		return NewOperator{}, err
	}
	hash, err := s.hashPassword(password)
	if err != nil {
		return NewOperator{}, fmt.Errorf("store: unable to hash password: %w", err)
	}
	var out NewOperator
	var secret *string
	if withOTP {
		key, err := totp.Generate(totp.GenerateOpts{Issuer: "cardconsole", AccountName: email})
		if err != nil {
			return NewOperator{}, fmt.Errorf("store: unable to generate TOTP secret: %w", err)
		}
		sealed, err := s.sealOTPSecret(key.Secret())
		if err != nil {
			return NewOperator{}, err
		}
		secret = &sealed
		out.OTPAuthURI = key.URL()
	}
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &out.ID, `INSERT INTO operators (email, password_hash, totp_secret) VALUES ($1, $2, $3) RETURNING id`,
			email, string(hash), secret)
		if isUniqueViolation(err, "operators_email_key") {
			return &Error{Code: CodeConflict, Message: "an operator with this email already exists",
				Fields: []FieldError{{Field: "email", Code: CodeConflict, Message: "already registered"}}}
		}
		if err != nil {
			return fmt.Errorf("store: unable to create operator: %w", err)
		}
		return writeAudit(ctx, tx, actor, Event{Action: "operator.create", ObjectType: "operator", ObjectID: out.ID,
			After: map[string]any{"email": email, "otp": withOTP}})
	})
	return out, err
}

const operatorColumns = `id, email, totp_secret IS NOT NULL AS has_otp, status, created_at`

// OperatorByID returns an operator.
func (s *Store) OperatorByID(ctx context.Context, id int64) (Operator, error) {
	var o Operator
	err := s.db.GetContext(ctx, &o, `SELECT `+operatorColumns+` FROM operators WHERE id = $1`, id)
	return o, notFoundIf(err, "operator")
}

// OperatorByEmail returns an operator by email, case-insensitively.
func (s *Store) OperatorByEmail(ctx context.Context, email string) (Operator, error) {
	var o Operator
	err := s.db.GetContext(ctx, &o, `SELECT `+operatorColumns+` FROM operators WHERE lower(email) = lower($1)`, strings.TrimSpace(email))
	return o, notFoundIf(err, "operator")
}

// CheckPassword returns the active operator with that email and password, or an Unauthorized error
// that does not tell which of the two was wrong.
func (s *Store) CheckPassword(ctx context.Context, email, password string) (Operator, error) {
	var row struct {
		Operator
		Hash string `db:"password_hash"`
	}
	err := s.db.GetContext(ctx, &row, `SELECT `+operatorColumns+`, password_hash FROM operators WHERE lower(email) = lower($1)`,
		strings.TrimSpace(email))
	bad := NewError(CodeUnauthorized, "invalid email or password")
	if err != nil {
		s.compared.Passwords.Add(1)
		_ = bcrypt.CompareHashAndPassword(dummyHash(s.passwordCost()), []byte(password))
		if errors.Is(err, sql.ErrNoRows) {
			return Operator{}, bad
		}
		return Operator{}, fmt.Errorf("store: unable to read operator: %w", err)
	}
	s.compared.Passwords.Add(1)
	if bcrypt.CompareHashAndPassword([]byte(row.Hash), []byte(password)) != nil || row.Status != "ACTIVE" {
		return Operator{}, bad
	}
	return row.Operator, nil
}

// Grant gives an operator roles and single permissions on a partner. Roles expand to their
// permissions; otp pairs are only ever granted as single permissions.
func (s *Store) Grant(ctx context.Context, actor Actor, operatorID, partnerID int64, roles, permissions []string) error {
	var v Validation
	for _, r := range roles {
		if _, ok := Roles[r]; !ok {
			v.Add("role", fmt.Sprintf("unknown role %q (one of %s)", r, strings.Join(RoleNames(), ", ")))
		}
	}
	for _, p := range permissions {
		if !ValidPermission(p) {
			v.Add("permission", fmt.Sprintf("unknown permission %q", p))
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	perms := append([]string(nil), permissions...)
	for _, r := range roles {
		perms = append(perms, Roles[r]...)
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := s.partnerExists(ctx, tx, partnerID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO operator_roles (operator_id, partner_id, role) SELECT $1, $2, unnest($3::text[])
			ON CONFLICT DO NOTHING`, operatorID, partnerID, pq.Array(roles)); err != nil {
			return fmt.Errorf("store: unable to grant roles: %w", notFoundIf(err, "operator"))
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO operator_permissions (operator_id, partner_id, permission) SELECT $1, $2, unnest($3::text[])
			ON CONFLICT DO NOTHING`, operatorID, partnerID, pq.Array(perms)); err != nil {
			return fmt.Errorf("store: unable to grant permissions: %w", err)
		}
		return writeAudit(ctx, tx, actor, Event{PartnerID: partnerID, Action: "operator.grant", ObjectType: "operator",
			ObjectID: operatorID, After: map[string]any{"roles": roles, "permissions": permissions}})
	})
}

func (s *Store) partnerExists(ctx context.Context, q sqlx.QueryerContext, partnerID int64) (bool, error) {
	var ok bool
	if err := sqlx.GetContext(ctx, q, &ok, `SELECT EXISTS (SELECT 1 FROM partners WHERE id = $1)`, partnerID); err != nil {
		return false, fmt.Errorf("store: unable to find partner: %w", err)
	}
	if !ok {
		return false, NotFound("partner")
	}
	return true, nil
}

// GrantsFor returns what an operator may do on a partner (empty when nothing was granted).
func (s *Store) GrantsFor(ctx context.Context, operatorID, partnerID int64) (Grants, error) {
	g := Grants{PartnerID: partnerID, Permissions: map[string]bool{}}
	var perms []string
	if err := s.db.SelectContext(ctx, &perms, `SELECT permission FROM operator_permissions WHERE operator_id = $1 AND partner_id = $2`,
		operatorID, partnerID); err != nil {
		return g, fmt.Errorf("store: unable to read permissions: %w", err)
	}
	for _, p := range perms {
		g.Permissions[p] = true
	}
	if err := s.db.SelectContext(ctx, &g.Roles, `SELECT role FROM operator_roles WHERE operator_id = $1 AND partner_id = $2 ORDER BY role`,
		operatorID, partnerID); err != nil {
		return g, fmt.Errorf("store: unable to read roles: %w", err)
	}
	return g, nil
}

// PartnerIDsFor lists the partners on which the operator holds the permission, or any grant when
// permission is empty.
func (s *Store) PartnerIDsFor(ctx context.Context, operatorID int64, permission string) ([]int64, error) {
	ids := []int64{}
	err := s.db.SelectContext(ctx, &ids, `
		SELECT DISTINCT partner_id FROM operator_permissions
		WHERE operator_id = $1 AND ($2 = '' OR permission = $2) ORDER BY partner_id`, operatorID, permission)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list partners of operator: %w", err)
	}
	return ids, nil
}
