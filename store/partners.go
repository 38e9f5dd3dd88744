package store

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"
)

// Partner is a company that runs a card program.
type Partner struct {
	ID        int64     `db:"id" json:"id"`
	Name      string    `db:"name" json:"name"`
	Currency  string    `db:"currency" json:"currency"`
	TimeZone  string    `db:"time_zone" json:"timeZone"`
	CreatedAt time.Time `db:"created_at" json:"createdAt"`
}

// Balance is a partner's available balance in one currency: the shape of GET .../balance.
type Balance struct {
	ID        int64           `db:"id" json:"id"`
	ClientID  int64           `db:"partner_id" json:"clientId"`
	Available decimal.Decimal `db:"balance" json:"available"`
	Currency  string          `db:"currency" json:"currency"`
	UpdatedAt time.Time       `db:"updated_at" json:"updatedAt"`
	CreatedAt time.Time       `db:"created_at" json:"createdAt"`
}

// PartnerSummary is a partner with its main balance, for the dashboard.
type PartnerSummary struct {
	Partner
	Available decimal.Decimal `db:"available" json:"available"`
}

var currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)

// CreatePartner creates a partner and its available-balance account in its currency.
func (s *Store) CreatePartner(ctx context.Context, actor Actor, name, currency string) (Partner, error) {
	name = strings.TrimSpace(name)
	var v Validation
	if name == "" || len(name) > 200 {
		v.Add("name", "name is required (at most 200 characters)")
	}
	if !currencyPattern.MatchString(currency) {
		v.Add("currency", "currency must be an ISO 4217 code such as GTQ")
	}
	if err := v.Err(); err != nil {
		return Partner{}, err
	}
	var p Partner
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &p, `INSERT INTO partners (name, currency) VALUES ($1, $2)
			RETURNING id, name, currency, time_zone, created_at`, name, currency)
		if err != nil {
			return fmt.Errorf("store: unable to create partner: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO accounts (partner_id, kind, currency) VALUES ($1, 'PARTNER', $2)`,
			p.ID, currency); err != nil {
			return fmt.Errorf("store: unable to create partner balance: %w", err)
		}
		return writeAudit(ctx, tx, actor, Event{PartnerID: p.ID, Action: "partner.create", ObjectType: "partner", ObjectID: p.ID, After: p})
	})
	return p, err
}

// Partner returns one partner.
func (s *Store) Partner(ctx context.Context, id int64) (Partner, error) {
	var p Partner
	err := s.db.GetContext(ctx, &p, `SELECT id, name, currency, time_zone, created_at FROM partners WHERE id = $1`, id)
	return p, notFoundIf(err, "partner")
}

// PartnerBalance returns the partner's available balance in its own currency.
func (s *Store) PartnerBalance(ctx context.Context, partnerID int64) (Balance, error) {
	var b Balance
	err := s.db.GetContext(ctx, &b, `
		SELECT a.id, a.partner_id, a.balance, a.currency, a.updated_at, a.created_at
		FROM accounts a JOIN partners p ON p.id = a.partner_id AND p.currency = a.currency
		WHERE a.partner_id = $1 AND a.kind = 'PARTNER'`, partnerID)
	return b, notFoundIf(err, "partner balance")
}

// PartnerSummaries lists the given partners with their balances, by name.
func (s *Store) PartnerSummaries(ctx context.Context, ids []int64) ([]PartnerSummary, error) {
	var out []PartnerSummary
	err := s.db.SelectContext(ctx, &out, `
		SELECT p.id, p.name, p.currency, p.time_zone, p.created_at, COALESCE(a.balance, 0) AS available
		FROM partners p
		LEFT JOIN accounts a ON a.partner_id = p.id AND a.kind = 'PARTNER' AND a.currency = p.currency
		WHERE p.id = ANY($1)
		ORDER BY p.name, p.id`, pq.Array(ids))
	if err != nil {
		return nil, fmt.Errorf("store: unable to list partners: %w", err)
	}
	return out, nil
}
