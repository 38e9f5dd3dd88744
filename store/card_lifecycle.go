package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// CardAction is a step of a card's life: INACTIVE → ACTIVE ⇄ BLOCKED, and from any of them to the
// final CANCELED (CancelCard).
type CardAction string

// The card actions of the spec.
const (
	ActivateCard CardAction = "activate"
	BlockCard    CardAction = "block"
	UnblockCard  CardAction = "unblock"
)

// transition is the status a card must have for an action and the status it gets.
type transition struct{ from, to string }

var cardTransitions = map[CardAction]transition{
	ActivateCard: {from: CardInactive, to: CardActive},
	BlockCard:    {from: CardActive, to: CardBlocked},
	UnblockCard:  {from: CardBlocked, to: CardActive},
}

// Target is the status the action leaves a card in.
func (a CardAction) Target() string { return cardTransitions[a].to }

// ChangeCardStatus applies an action to a card of the partner and, when cardholderID is not zero,
// of that cardholder. The UPDATE carries the expected status in its WHERE clause, so of two racing
// requests only one changes the card. A card outside the partner or the cardholder is 7200; a card
// in the wrong status (or, to be activated, not yet given to a cardholder) is 409 with 7213.
func (s *Store) ChangeCardStatus(ctx context.Context, actor Actor, partnerID, cardholderID, cardID int64, action CardAction) (Card, error) {
	t, ok := cardTransitions[action]
	if !ok {
		return Card{}, fmt.Errorf("store: unknown card action %q", action)
	}
	if actor.Type == ActorOperator {
		// A card of a cardholder the operator's tag restriction hides does not exist for them.
		visible, err := s.CardVisible(ctx, actor.OperatorID, partnerID, cardID)
		if err != nil {
			return Card{}, err
		}
		if !visible {
			return Card{}, NewError(CodeCardNotFound, "card not found")
		}
	}
	var c Card
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &c, `
			WITH changed AS (
			    UPDATE cards SET status = $5, updated_at = now()
			    WHERE id = $1 AND partner_id = $2 AND ($3::bigint = 0 OR cardholder_id = $3) AND status = $4
			      AND cardholder_id IS NOT NULL
			    RETURNING *
			)
			SELECT `+cardColumns+` FROM changed c JOIN accounts a ON a.id = c.account_id`,
			cardID, partnerID, cardholderID, t.from, t.to)
		if errors.Is(err, sql.ErrNoRows) {
			return refusedTransition(ctx, tx, partnerID, cardholderID, cardID, action)
		}
		if err != nil {
			return fmt.Errorf("store: unable to change card status: %w", err)
		}
		if err := writeCardHistory(ctx, tx, actor, CardTransition{CardID: cardID, PartnerID: partnerID, From: t.from,
			To: t.to, Channel: channelOf(actor)}); err != nil {
			return err
		}
		return writeAudit(ctx, tx, actor, Event{PartnerID: partnerID, Action: "card." + string(action), ObjectType: "card",
			ObjectID: cardID, Before: map[string]string{"status": t.from}, After: map[string]string{"status": t.to}})
	})
	return c, err
}

// refusedTransition explains why the conditional UPDATE changed nothing.
func refusedTransition(ctx context.Context, tx *sqlx.Tx, partnerID, cardholderID, cardID int64, action CardAction) error {
	var cur struct {
		Status     string        `db:"status"`
		Cardholder sql.NullInt64 `db:"cardholder_id"`
	}
	err := tx.GetContext(ctx, &cur, `SELECT status, cardholder_id FROM cards
		WHERE id = $1 AND partner_id = $2 AND ($3::bigint = 0 OR cardholder_id = $3)`, cardID, partnerID, cardholderID)
	if errors.Is(err, sql.ErrNoRows) {
		return NewError(CodeCardNotFound, "card not found")
	}
	if err != nil {
		return fmt.Errorf("store: unable to read card: %w", err)
	}
	if !cur.Cardholder.Valid {
		return NewError(CodeInvalidStatusCard, "the card is not assigned to a cardholder yet; assign it before you "+string(action)+" it")
	}
	if cur.Status == CardCanceled {
		return NewError(CodeInvalidStatusCard, "the card is CANCELED, which is final; "+string(action)+" is not possible")
	}
	t := cardTransitions[action]
	return NewError(CodeInvalidStatusCard, fmt.Sprintf("the card is %s; %s needs a %s card", cur.Status, action, t.from))
}

// Outcomes of one card in a bulk action.
const (
	BulkChanged   = "CHANGED"
	BulkUnchanged = "UNCHANGED"
	BulkFailed    = "FAILED"
)

// MaxBulkCards is the most cards one bulk action takes.
const MaxBulkCards = 100

// BulkOutcome says what a bulk action did to one card.
type BulkOutcome struct {
	CardID int64  `json:"cardId"`
	Result string `json:"result"`           // CHANGED, UNCHANGED (already in the target status) or FAILED
	Status string `json:"status,omitempty"` // the card's status afterwards, when known
	Code   Code   `json:"code,omitempty"`   // why it failed
	Reason string `json:"reason,omitempty"`
}

// BulkResult is the outcome of a bulk block or unblock, card by card, with the counts.
type BulkResult struct {
	Action    CardAction    `json:"action"`
	Changed   int           `json:"changed"`
	Unchanged int           `json:"unchanged"`
	Failed    int           `json:"failed"`
	Results   []BulkOutcome `json:"results"`
}

// BulkChangeCardStatus blocks or unblocks several cards of the partner. Each card is decided on its
// own, in its own transaction, so one card in the wrong state does not hold back the others. The
// returned error reports failures of the database, which also appear as FAILED (7003) outcomes.
func (s *Store) BulkChangeCardStatus(ctx context.Context, actor Actor, partnerID int64, cardIDs []int64, action CardAction) (BulkResult, error) {
	res := BulkResult{Action: action, Results: []BulkOutcome{}}
	if err := ValidateBulk(cardIDs, action); err != nil {
		return res, err
	}
	var internal []error
	seen := map[int64]bool{}
	for _, id := range cardIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		out := BulkOutcome{CardID: id, Result: BulkChanged, Status: action.Target()}
		_, err := s.ChangeCardStatus(ctx, actor, partnerID, 0, id, action)
		if err != nil {
			out = s.bulkFailure(ctx, partnerID, id, action, err)
			if out.Code == CodeConsultWithSupport {
				internal = append(internal, fmt.Errorf("card %d: %w", id, err))
			}
		}
		switch out.Result {
		case BulkChanged:
			res.Changed++
		case BulkUnchanged:
			res.Unchanged++
		default:
			res.Failed++
		}
		res.Results = append(res.Results, out)
	}
	err := s.Audit(ctx, actor, Event{PartnerID: partnerID, Action: "card.bulk_" + string(action), ObjectType: "card",
		ObjectID: fmt.Sprint(cardIDs), After: map[string]int{"changed": res.Changed, "unchanged": res.Unchanged, "failed": res.Failed}})
	if err != nil {
		internal = append(internal, err)
	}
	return res, errors.Join(internal...)
}

// ValidateBulk checks a bulk action's input, so a caller can refuse it before spending a one-time code.
func ValidateBulk(cardIDs []int64, action CardAction) error {
	var v Validation
	switch {
	case action != BlockCard && action != UnblockCard:
		v.Add("action", "bulk actions are block and unblock")
	case len(cardIDs) == 0:
		v.Add("cardIds", "select at least one card (cardIds)")
	case len(cardIDs) > MaxBulkCards:
		v.Add("cardIds", fmt.Sprintf("cardIds may list at most %d cards", MaxBulkCards))
	}
	for _, id := range cardIDs {
		if id <= 0 && !v.Has("cardIds") {
			v.Add("cardIds", "every card id must be a positive integer")
		}
	}
	return v.Err()
}

// bulkFailure turns the refusal of one card into its outcome: a card already in the target status
// is UNCHANGED, anything else FAILED with its code.
func (s *Store) bulkFailure(ctx context.Context, partnerID, cardID int64, action CardAction, err error) BulkOutcome {
	out := BulkOutcome{CardID: cardID, Result: BulkFailed}
	e, ok := AsError(err)
	if !ok {
		out.Code, out.Reason = CodeConsultWithSupport, "the card could not be changed; try it again"
		return out
	}
	out.Code, out.Reason = e.Code, e.Message
	if e.Code == CodeInvalidStatusCard {
		if c, rerr := s.CardByID(ctx, partnerID, cardID); rerr == nil {
			out.Status = c.Status
			if c.Status == action.Target() && c.CardholderID != nil {
				return BulkOutcome{CardID: cardID, Result: BulkUnchanged, Status: c.Status, Reason: "already " + c.Status}
			}
		}
	}
	return out
}
