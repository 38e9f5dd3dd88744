package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// takeStockCard makes an unassigned card of the partner the cardholder's. The condition is in the
// UPDATE itself, so two requests for the same card cannot both get it; false means the card is
// not an unassigned card of this partner (missing, another partner's, or already assigned: the
// three are not told apart, so another partner's card ids leak nothing).
func takeStockCard(ctx context.Context, tx *sqlx.Tx, partnerID, cardholderID, cardID int64) (bool, error) {
	res, err := tx.ExecContext(ctx, `
		UPDATE cards SET cardholder_id = $1, updated_at = now()
		WHERE id = $2 AND partner_id = $3 AND cardholder_id IS NULL`, cardholderID, cardID, partnerID)
	if err != nil {
		return false, fmt.Errorf("store: unable to assign card: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: unable to assign card: %w", err)
	}
	return n == 1, nil
}

func notStockCard(cardID int64) string {
	return fmt.Sprintf("card %d is not an unassigned card of this partner", cardID)
}

// AssignCard gives a cardholder one more card: an unassigned stock card of the partner, which stays
// INACTIVE until it is activated. A missing cardholder is 7100; a card that is not an unassigned
// card of this partner is 409 with 7210 CARD_NOT_UPDATED.
func (s *Store) AssignCard(ctx context.Context, actor Actor, partnerID, cardholderID, cardID int64) (Card, error) {
	if cardID <= 0 {
		var v Validation
		v.Add("cardId", "cardId is required: the id of an unassigned card of this partner")
		return Card{}, v.Err()
	}
	var c Card
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := cardholderExists(ctx, tx, partnerID, cardholderID); err != nil {
			return err
		}
		taken, err := takeStockCard(ctx, tx, partnerID, cardholderID, cardID)
		if err != nil {
			return err
		}
		if !taken {
			return NewError(CodeCardNotUpdated, notStockCard(cardID))
		}
		if err := tx.GetContext(ctx, &c, `SELECT `+cardColumns+` FROM cards c JOIN accounts a ON a.id = c.account_id
			WHERE c.id = $1`, cardID); err != nil {
			return fmt.Errorf("store: unable to read card: %w", err)
		}
		return writeAudit(ctx, tx, actor, Event{PartnerID: partnerID, Action: "card.assign", ObjectType: "card",
			ObjectID: cardID, Before: map[string]any{"cardholderId": nil},
			After: map[string]any{"cardholderId": cardholderID, "status": c.Status}})
	})
	return c, err
}
