package store

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"
)

// Card statuses: cards are issued INACTIVE, then INACTIVE → ACTIVE ⇄ BLOCKED; any of them may end
// CANCELED, which is final.
const (
	CardInactive = "INACTIVE"
	CardActive   = "ACTIVE"
	CardBlocked  = "BLOCKED"
	CardCanceled = "CANCELED"
)

// programBIN is the BIN of the program's cards; only it and the last four digits are stored.
const programBIN = "459876"

// Card is a card of the program; its number is only ever known masked.
type Card struct {
	ID           int64           `db:"id" json:"id"`
	PartnerID    int64           `db:"partner_id" json:"partnerId"`
	CardholderID *int64          `db:"cardholder_id" json:"cardholderId"`
	AccountID    int64           `db:"account_id" json:"-"`
	BIN          string          `db:"bin" json:"bin"`
	Last4        string          `db:"last4" json:"last4"`
	Status       string          `db:"status" json:"status"`
	Balance      decimal.Decimal `db:"balance" json:"balance"`
	Currency     string          `db:"currency" json:"currency"`
	CreatedAt    time.Time       `db:"created_at" json:"createdAt"`
	UpdatedAt    time.Time       `db:"updated_at" json:"updatedAt"`
}

// MaskedNumber is the card number as it may be shown: BIN, hidden middle, last four.
func (c Card) MaskedNumber() string { return c.BIN + "******" + c.Last4 }

// cardColumns selects a Card from cards c joined with accounts a.
const cardColumns = `c.id, c.partner_id, c.cardholder_id, c.account_id, c.bin, c.last4, c.status,
	a.balance, a.currency, c.created_at, c.updated_at`

// MaxIssue is the most cards one call may issue.
const MaxIssue = 1000

// IssueCards creates count INACTIVE, unassigned stock cards for the partner, each with its own
// account in the partner's currency.
func (s *Store) IssueCards(ctx context.Context, actor Actor, partnerID int64, count int) ([]Card, error) {
	if count < 1 || count > MaxIssue {
		var v Validation
		v.Add("count", fmt.Sprintf("count must be between 1 and %d", MaxIssue))
		return nil, v.Err()
	}
	var cards []Card
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		cards = cards[:0]
		p, err := partnerInTx(ctx, tx, partnerID)
		if err != nil {
			return err
		}
		for range count {
			var c Card
			err := tx.GetContext(ctx, &c, `
				WITH acc AS (
				    INSERT INTO accounts (partner_id, kind, currency) VALUES ($1, 'CARD', $2) RETURNING id, balance, currency
				), card AS (
				    INSERT INTO cards (partner_id, account_id, bin, last4) SELECT $1, acc.id, $3, $4 FROM acc
				    RETURNING id, partner_id, cardholder_id, account_id, bin, last4, status, created_at, updated_at
				)
				SELECT card.id, card.partner_id, card.cardholder_id, card.account_id, card.bin, card.last4, card.status,
				       acc.balance, acc.currency, card.created_at, card.updated_at
				FROM card, acc`, partnerID, p.Currency, programBIN, randomLast4())
			if err != nil {
				return fmt.Errorf("store: unable to issue card: %w", err)
			}
			cards = append(cards, c)
		}
		ids := make([]int64, len(cards))
		for i, c := range cards {
			ids[i] = c.ID
		}
		return writeAudit(ctx, tx, actor, Event{PartnerID: partnerID, Action: "card.issue", ObjectType: "card",
			ObjectID: fmt.Sprint(ids), After: map[string]any{"count": count, "status": CardInactive}})
	})
	return cards, err
}

// partnerInTx reads a partner inside a transaction; a missing one is NotFound.
func partnerInTx(ctx context.Context, tx *sqlx.Tx, partnerID int64) (Partner, error) {
	var p Partner
	err := tx.GetContext(ctx, &p, `SELECT id, name, currency, time_zone, created_at FROM partners WHERE id = $1`, partnerID)
	return p, notFoundIf(err, "partner")
}

func randomLast4() string {
	n, err := rand.Int(rand.Reader, big.NewInt(10000))
	if err != nil {
		panic("store: no randomness: " + err.Error())
	}
	return fmt.Sprintf("%04d", n.Int64())
}

// CardByID returns a card of the partner; a card of another partner is NotFound (7200).
func (s *Store) CardByID(ctx context.Context, partnerID, cardID int64) (Card, error) {
	var c Card
	err := s.db.GetContext(ctx, &c, `SELECT `+cardColumns+` FROM cards c JOIN accounts a ON a.id = c.account_id
		WHERE c.id = $1 AND c.partner_id = $2`, cardID, partnerID)
	if err != nil {
		if nf := notFoundIf(err, "card"); IsCode(nf, CodeNotFound) {
			return c, NewError(CodeCardNotFound, "card not found")
		}
		return c, fmt.Errorf("store: unable to read card: %w", err)
	}
	return c, nil
}
