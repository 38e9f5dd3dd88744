package store

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Application is an API consumer: it logs in with merchant and secret, and is identified on the
// issuer API by its application id.
type Application struct {
	ID            int64  `db:"id" json:"-"`
	Name          string `db:"name" json:"name"`
	Merchant      string `db:"merchant" json:"merchant"`
	ApplicationID string `db:"application_id" json:"applicationId"`
}

// NewApplication is the outcome of CreateApplication; the secret is shown this once and stored hashed.
type NewApplication struct {
	Merchant      string `json:"merchant"`
	Secret        string `json:"secret"`
	ApplicationID string `json:"applicationId"`
}

// CreateApplication registers an application that may act on the given partners' cards, with fresh
// random credentials.
func (s *Store) CreateApplication(ctx context.Context, actor Actor, name string, partnerIDs []int64) (NewApplication, error) {
	creds := NewApplication{Merchant: "mch_" + randomToken()[:16], Secret: randomToken(), ApplicationID: newUUID()}
	return s.CreateApplicationWith(ctx, actor, name, partnerIDs, creds)
}

// CreateApplicationWith registers an application with the given credentials (demo data uses
// well-known ones).
func (s *Store) CreateApplicationWith(ctx context.Context, actor Actor, name string, partnerIDs []int64, out NewApplication) (NewApplication, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		var v Validation
		v.Add("name", "name is required (at most 100 characters)")
		return NewApplication{}, v.Err()
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var id int64
		err := tx.GetContext(ctx, &id, `INSERT INTO applications (name, merchant, secret_hash, application_id)
			VALUES ($1, $2, $3, $4) RETURNING id`, name, out.Merchant, hashToken(out.Secret), out.ApplicationID)
		if err != nil {
			return fmt.Errorf("store: unable to create application: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO application_partners (application_id, partner_id)
			SELECT $1, unnest($2::bigint[])`, id, pq.Array(partnerIDs)); err != nil {
			return fmt.Errorf("store: unable to link application to partners: %w", err)
		}
		return writeAudit(ctx, tx, actor, Event{Action: "application.create", ObjectType: "application", ObjectID: id,
			After: map[string]any{"name": name, "merchant": out.Merchant, "partners": partnerIDs}})
	})
	return out, err
}

// CheckApplication returns the application with that merchant and secret, or Unauthorized.
func (s *Store) CheckApplication(ctx context.Context, merchant, secret string) (Application, error) {
	var row struct {
		Application
		SecretHash []byte `db:"secret_hash"`
	}
	err := s.db.GetContext(ctx, &row, `SELECT id, name, merchant, application_id, secret_hash FROM applications WHERE merchant = $1`, merchant)
	bad := NewError(CodeUnauthorized, "invalid merchant or secret")
	if errors.Is(err, sql.ErrNoRows) {
		return Application{}, bad
	}
	if err != nil {
		return Application{}, fmt.Errorf("store: unable to read application: %w", err)
	}
	s.compared.AppSecrets.Add(1)
	if subtle.ConstantTimeCompare(row.SecretHash, hashToken(secret)) != 1 {
		return Application{}, bad
	}
	return row.Application, nil
}
