package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"
)

// CancelReasons are why a card may be cancelled.
var CancelReasons = []string{"LOST", "STOLEN", "DAMAGED", "REQUESTED"}

// checkCancelReason refuses a reason outside CancelReasons.
func checkCancelReason(reason string) error {
	if slices.Contains(CancelReasons, reason) {
		return nil
	}
	var v Validation
	v.Add("reason", "reason must be one of "+strings.Join(CancelReasons, ", "))
	return v.Err()
}

// openHolder locks the cardholder of the partner against a concurrent closing (FOR SHARE; the
// closing takes FOR UPDATE) and refuses one that is closed: 7100 when missing, 7101 when CLOSED.
func openHolder(ctx context.Context, tx *sqlx.Tx, partnerID, cardholderID int64) error {
	var status string
	err := tx.GetContext(ctx, &status, `SELECT status FROM cardholders WHERE id = $1 AND partner_id = $2 FOR SHARE`,
		cardholderID, partnerID)
	if errors.Is(err, sql.ErrNoRows) {
		return NewError(CodeUserNotFound, "cardholder not found")
	}
	if err != nil {
		return fmt.Errorf("store: unable to read cardholder: %w", err)
	}
	if status == CardholderClosed {
		return NewError(CodeCardholderClosed, "the cardholder is CLOSED, so nothing about them can change")
	}
	return nil
}

// lockHolderCard reads and locks a card of the cardholder; another card is 7200.
func lockHolderCard(ctx context.Context, tx *sqlx.Tx, partnerID, cardholderID, cardID int64) (Card, error) {
	var c Card
	err := tx.GetContext(ctx, &c, `SELECT `+cardColumns+` FROM cards c JOIN accounts a ON a.id = c.account_id
		WHERE c.id = $1 AND c.partner_id = $2 AND c.cardholder_id = $3 FOR UPDATE OF c, a`, cardID, partnerID, cardholderID)
	if errors.Is(err, sql.ErrNoRows) {
		return c, NewError(CodeCardNotFound, "card not found")
	}
	if err != nil {
		return c, fmt.Errorf("store: unable to read card: %w", err)
	}
	return c, nil
}

// cancelLockedTx makes a card locked by lockHolderCard CANCELED, with its history row. A card
// already CANCELED is 7213: CANCELED is final.
func cancelLockedTx(ctx context.Context, tx *sqlx.Tx, actor Actor, c Card, reason string) error {
	if c.Status == CardCanceled {
		return NewError(CodeInvalidStatusCard, "the card is already CANCELED, which is final")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cards SET status = 'CANCELED', updated_at = now() WHERE id = $1`, c.ID); err != nil {
		return fmt.Errorf("store: unable to cancel card: %w", err)
	}
	return writeCardHistory(ctx, tx, actor, CardTransition{CardID: c.ID, PartnerID: c.PartnerID, From: c.Status,
		To: CardCanceled, Reason: reason, Channel: channelOf(actor)})
}

// CancelCard makes a card of the cardholder CANCELED for good. Its balance stays on it until a
// replacement or an unload moves it. A card already CANCELED is 7213; a closed cardholder 7101.
func (s *Store) CancelCard(ctx context.Context, actor Actor, partnerID, cardholderID, cardID int64, reason string) (Card, error) {
	if err := checkCancelReason(reason); err != nil {
		return Card{}, err
	}
	var c Card
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := openHolder(ctx, tx, partnerID, cardholderID); err != nil {
			return err
		}
		var err error
		if c, err = lockHolderCard(ctx, tx, partnerID, cardholderID, cardID); err != nil {
			return err
		}
		before := c.Status
		if err := cancelLockedTx(ctx, tx, actor, c, reason); err != nil {
			return err
		}
		c.Status = CardCanceled
		return writeAudit(ctx, tx, actor, Event{PartnerID: partnerID, Action: "card.cancel", ObjectType: "card",
			ObjectID: cardID, Before: map[string]string{"status": before},
			After: map[string]string{"status": CardCanceled, "reason": reason}})
	})
	return c, err
}
