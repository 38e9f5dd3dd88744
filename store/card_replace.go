package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"
)

// Replacement is the outcome of ReplaceCard: the new card, with the balance moved onto it.
type Replacement struct {
	Card      Card            `json:"card"`
	OldCardID int64           `json:"oldCardId"`
	Moved     decimal.Decimal `json:"movedAmount"`
	EntryID   string          `json:"entryId,omitempty"` // of the two linked movements, when money moved
}

// ReplaceCard gives the cardholder a new card in place of one lost, stolen, damaged or given back,
// in one transaction: it takes newCardID (or, when 0, the partner's lowest INACTIVE stock card),
// makes it the cardholder's and ACTIVE, moves the old card's whole balance onto it (one entry, two
// linked movements through the ledger) and cancels the old card with the reason. A CANCELED old
// card is 7213, a card that is not stock 7210, a closed cardholder 7101.
func (s *Store) ReplaceCard(ctx context.Context, actor Actor, partnerID, cardholderID, cardID int64, reason string, newCardID int64) (Replacement, error) {
	if err := checkCancelReason(reason); err != nil {
		return Replacement{}, err
	}
	var r Replacement
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		r = Replacement{OldCardID: cardID, Moved: decimal.Zero}
		if err := openHolder(ctx, tx, partnerID, cardholderID); err != nil {
			return err
		}
		old, err := lockHolderCard(ctx, tx, partnerID, cardholderID, cardID)
		if err != nil {
			return err
		}
		if old.Status == CardCanceled {
			return NewError(CodeInvalidStatusCard, "the card is already CANCELED, which is final; its balance can still be unloaded")
		}
		fresh, err := takeReplacementCard(ctx, tx, partnerID, cardholderID, newCardID)
		if err != nil {
			return err
		}
		if old.Balance.IsPositive() {
			movements, err := post(ctx, tx, actor, Posting{
				From:     &Side{AccountID: old.AccountID, CardID: old.ID, Type: MovementReplacementOut},
				To:       &Side{AccountID: fresh.AccountID, CardID: fresh.ID, Type: MovementReplacementIn},
				Amount:   old.Balance,
				Currency: old.Currency, Channel: ChannelCMS,
				Reference:   "card-replacement:" + strconv.FormatInt(old.ID, 10),
				Description: "Card replaced (" + reason + ")",
			})
			if err != nil {
				return err
			}
			r.Moved, r.EntryID = old.Balance, movements[0].EntryID
			fresh.Balance = CardSide(movements, fresh.ID).BalanceAfter
		}
		if err := cancelLockedTx(ctx, tx, actor, old, reason); err != nil {
			return err
		}
		if err := writeCardHistory(ctx, tx, actor, CardTransition{CardID: fresh.ID, PartnerID: partnerID, From: CardInactive,
			To: CardActive, Reason: "REPLACES " + strconv.FormatInt(old.ID, 10), Channel: channelOf(actor)}); err != nil {
			return err
		}
		r.Card = fresh
		return writeAudit(ctx, tx, actor, Event{PartnerID: partnerID, Action: "card.replace", ObjectType: "card",
			ObjectID: cardID, Before: map[string]any{"status": old.Status, "balance": old.Balance},
			After: map[string]any{"status": CardCanceled, "reason": reason, "newCardId": fresh.ID, "moved": r.Moved}})
	})
	return r, err
}

// takeReplacementCard makes an INACTIVE stock card of the partner the cardholder's, ACTIVE: the one
// asked for, or the lowest free one. A card locked by a concurrent replacement is skipped, so two
// replacements never take the same card.
func takeReplacementCard(ctx context.Context, tx *sqlx.Tx, partnerID, cardholderID, newCardID int64) (Card, error) {
	var c Card
	err := tx.GetContext(ctx, &c, `
		WITH pick AS (
		    SELECT id FROM cards
		    WHERE partner_id = $1 AND cardholder_id IS NULL AND status = 'INACTIVE' AND ($3::bigint = 0 OR id = $3)
		    ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
		), taken AS (
		    UPDATE cards c SET cardholder_id = $2, status = 'ACTIVE', updated_at = now() FROM pick WHERE c.id = pick.id
		    RETURNING c.*
		)
		SELECT `+cardColumns+` FROM taken c JOIN accounts a ON a.id = c.account_id`, partnerID, cardholderID, newCardID)
	if errors.Is(err, sql.ErrNoRows) {
		msg := "the partner has no INACTIVE stock card left; issue cards first"
		if newCardID != 0 {
			msg = fmt.Sprintf("card %d is not an INACTIVE, unassigned card of this partner", newCardID)
		}
		var v Validation
		v.AddCode("newCardId", CodeCardNotUpdated, msg)
		return c, v.Err()
	}
	if err != nil {
		return c, fmt.Errorf("store: unable to take a replacement card: %w", err)
	}
	return c, nil
}
