package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/lib/pq"
	"github.com/shopspring/decimal"
)

// CardStatuses are the statuses a card can have, in the order of its life.
var CardStatuses = []string{CardInactive, CardActive, CardBlocked, CardCanceled}

// CardFilter selects a page of a partner's cards, newest first.
type CardFilter struct {
	PartnerID  int64
	Status     string // one of CardStatuses, or "" for all
	Unassigned bool   // only stock cards not yet given to a cardholder
	Page       Page

	// Tags hides the cards of cardholders carrying none of them (an operator's tag restriction,
	// store/tags.go); stock cards stay. Empty hides nothing.
	Tags []string
}

// ListCards returns a page of the partner's cards and how many match in all.
func (s *Store) ListCards(ctx context.Context, f CardFilter) ([]Card, int, error) {
	where, args, err := f.where()
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.db.GetContext(ctx, &total, `SELECT count(*) FROM cards c WHERE `+where, args...); err != nil {
		return nil, 0, fmt.Errorf("store: unable to count cards: %w", err)
	}
	cards := []Card{}
	err = s.db.SelectContext(ctx, &cards, `SELECT `+cardColumns+` FROM cards c JOIN accounts a ON a.id = c.account_id
		WHERE `+where+cardListOrder+` LIMIT $5 OFFSET $6`, append(args, f.Page.Limit, f.Page.Offset())...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: unable to list cards: %w", err)
	}
	return cards, total, nil
}

// cardListOrder is the order of the card list: newest first.
const cardListOrder = ` ORDER BY c.id DESC`

// where checks the filter and returns its WHERE clause over cards c, with four arguments.
func (f *CardFilter) where() (string, []any, error) {
	f.Status = strings.ToUpper(strings.TrimSpace(f.Status))
	if f.Status != "" && !slices.Contains(CardStatuses, f.Status) {
		var v Validation
		v.Add("status", "status must be one of "+strings.Join(CardStatuses, ", "))
		return "", nil, v.Err()
	}
	where := `c.partner_id = $1 AND ($2 = '' OR c.status = $2) AND (NOT $3 OR c.cardholder_id IS NULL)
		AND (coalesce(cardinality($4::text[]), 0) = 0 OR c.cardholder_id IS NULL
		     OR c.cardholder_id IN (SELECT cardholder_id FROM cardholder_tags WHERE tag = ANY($4)))`
	return where, []any{f.PartnerID, f.Status, f.Unassigned, pq.Array(f.Tags)}, nil
}

// Who holds a card listed for a cardholder.
const (
	OwnershipOwned      = "OWNED"
	OwnershipThirdParty = "THIRD_PARTY"
)

// CardholderCard is one card of a cardholder's list: one of the program's cards they own, or a card
// of another issuer they linked. Numbers are only ever masked.
type CardholderCard struct {
	Ownership    string           `json:"ownership"` // OWNED or THIRD_PARTY
	ID           int64            `json:"id"`
	MaskedNumber string           `json:"maskedNumber"`
	Last4        string           `json:"last4"`
	BIN          string           `json:"bin,omitempty"`
	Status       string           `json:"status,omitempty"`
	Balance      *decimal.Decimal `json:"balance,omitempty"`
	Currency     string           `json:"currency,omitempty"`
	Alias        string           `json:"alias,omitempty"`
	Email        string           `json:"email,omitempty"`
}

// CardholderCards lists the cards a cardholder owns (oldest first) followed by the third-party
// cards they linked. A cardholder of another partner is 7100.
func (s *Store) CardholderCards(ctx context.Context, partnerID, cardholderID int64) ([]CardholderCard, error) {
	owned, err := s.OwnedCards(ctx, partnerID, cardholderID)
	if err != nil {
		return nil, err
	}
	linked, err := s.ThirdPartyCards(ctx, partnerID, cardholderID)
	if err != nil {
		return nil, err
	}
	out := make([]CardholderCard, 0, len(owned)+len(linked))
	for _, c := range owned {
		balance := c.Balance
		out = append(out, CardholderCard{Ownership: OwnershipOwned, ID: c.ID, MaskedNumber: c.MaskedNumber(), Last4: c.Last4,
			BIN: c.BIN, Status: c.Status, Balance: &balance, Currency: c.Currency})
	}
	for _, t := range linked {
		out = append(out, CardholderCard{Ownership: OwnershipThirdParty, ID: t.ID, MaskedNumber: t.MaskedNumber(), Last4: t.Suffix,
			Alias: t.Alias, Email: t.Email})
	}
	return out, nil
}

// OwnedCards lists the program's cards a cardholder holds, oldest first; a cardholder of another
// partner is 7100.
func (s *Store) OwnedCards(ctx context.Context, partnerID, cardholderID int64) ([]Card, error) {
	if err := cardholderExists(ctx, s.db, partnerID, cardholderID); err != nil {
		return nil, err
	}
	cards := []Card{}
	err := s.db.SelectContext(ctx, &cards, `SELECT `+cardColumns+` FROM cards c JOIN accounts a ON a.id = c.account_id
		WHERE c.partner_id = $1 AND c.cardholder_id = $2 ORDER BY c.id`, partnerID, cardholderID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list cards of cardholder: %w", err)
	}
	return cards, nil
}
