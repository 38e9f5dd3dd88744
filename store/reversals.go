package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"
)

// Reversal statuses: a request waits PENDING until a second operator approves or rejects it.
const (
	ReversalPending  = "PENDING"
	ReversalApproved = "APPROVED"
	ReversalRejected = "REJECTED"
)

// ReversalStatuses are the values of the list's status filter.
var ReversalStatuses = []string{ReversalPending, ReversalApproved, ReversalRejected}

// Reversal is a request to undo a load, an unload or a transfer: every movement of the operation's
// entry gets its opposite once a second operator approves it.
type Reversal struct {
	ID              int64           `db:"id" json:"id"`
	PartnerID       int64           `db:"partner_id" json:"partnerId"`
	CardholderID    int64           `db:"cardholder_id" json:"cardholderId"`
	CardholderName  string          `db:"cardholder_name" json:"-"` // for the console, which names people rather than ids
	CardID          int64           `db:"card_id" json:"cardId"`
	MovementID      int64           `db:"movement_id" json:"movementId"`
	EntryID         string          `db:"entry_id" json:"entryId"`
	Operation       string          `db:"operation" json:"operation"` // ADD_FUNDS, WITHDRAW_FUNDS or TRANSFER
	Amount          decimal.Decimal `db:"amount" json:"amount"`
	Currency        string          `db:"currency" json:"currency"`
	Status          string          `db:"status" json:"status"`
	Reason          string          `db:"reason" json:"reason"`
	RequestedBy     int64           `db:"requested_by" json:"requestedBy"`
	RequestedByName string          `db:"requested_by_email" json:"requestedByEmail"`
	ReviewedBy      *int64          `db:"reviewed_by" json:"reviewedBy"`
	ReviewedByName  *string         `db:"reviewed_by_email" json:"reviewedByEmail"`
	RejectReason    *string         `db:"reject_reason" json:"rejectReason"`
	ReversalEntryID *string         `db:"reversal_entry_id" json:"reversalEntryId"`
	CreatedAt       time.Time       `db:"created_at" json:"createdAt"`
	DecidedAt       *time.Time      `db:"decided_at" json:"decidedAt"`
}

const reversalSelect = `
	SELECT r.id, r.partner_id, r.cardholder_id, r.card_id, r.movement_id, r.entry_id, r.operation, r.amount, r.currency,
	       r.status, r.reason, r.requested_by, rq.email AS requested_by_email, r.reviewed_by, rv.email AS reviewed_by_email,
	       r.reject_reason, r.reversal_entry_id, r.created_at, r.decided_at, h.name || ' ' || h.last_name AS cardholder_name
	FROM reversals r JOIN operators rq ON rq.id = r.requested_by LEFT JOIN operators rv ON rv.id = r.reviewed_by
	JOIN cardholders h ON h.id = r.cardholder_id`

// reversibleOperations maps the movement types a reversal may undo to their operation.
var reversibleOperations = map[string]string{
	MovementAddFunds: MovementAddFunds, MovementWithdrawFunds: MovementWithdrawFunds,
	MovementTransferOut: "TRANSFER", MovementTransferIn: "TRANSFER",
}

// checkReason validates the reason of a reversal request or of its rejection.
func checkReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	var v Validation
	switch n := utf8.RuneCountInString(reason); {
	case n == 0:
		v.Add("reason", "reason is required")
	case n > MaxCloseReason:
		v.Add("reason", fmt.Sprintf("reason must have at most %d characters", MaxCloseReason))
	}
	return reason, v.Err()
}

// reversalEvent is the payload of a reversal's live events: what the review queue needs to refresh.
type reversalEvent struct {
	ID        int64           `json:"id"`
	Status    string          `json:"status"`
	Amount    decimal.Decimal `json:"amount"`
	Currency  string          `json:"currency"`
	Operation string          `json:"operation"`
	Actor     string          `json:"actor"`
}

func reversalEventOf(r Reversal, actor Actor) reversalEvent {
	return reversalEvent{ID: r.ID, Status: r.Status, Amount: r.Amount, Currency: r.Currency, Operation: r.Operation, Actor: actor.Label}
}

func reversalTx(ctx context.Context, q sqlx.QueryerContext, partnerID, id int64) (Reversal, error) {
	var r Reversal
	err := sqlx.GetContext(ctx, q, &r, reversalSelect+` WHERE r.id = $1 AND r.partner_id = $2`, id, partnerID)
	return r, notFoundIf(err, "reversal")
}

// Reversal returns one reversal of the partner; another partner's is not found.
func (s *Store) Reversal(ctx context.Context, partnerID, id int64) (Reversal, error) {
	return reversalTx(ctx, s.db, partnerID, id)
}

// RequestReversal opens a PENDING reversal of the operation that wrote movementID on the
// cardholder's card. Only loads, unloads and transfers can be reversed (409 otherwise); an operation
// already reversed, or with a reversal pending, is 409 (7304): the partial unique index on the entry
// refuses the second request even when two race.
func (s *Store) RequestReversal(ctx context.Context, actor Actor, partnerID, cardholderID, cardID, movementID int64, reason string) (Reversal, error) {
	if actor.Type != ActorOperator || actor.OperatorID == 0 {
		return Reversal{}, NewError(CodeForbidden, "only an operator can request a reversal")
	}
	reason, err := checkReason(reason)
	if err != nil {
		return Reversal{}, err
	}
	var r Reversal
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := openHolder(ctx, tx, partnerID, cardholderID); err != nil {
			return err
		}
		var m Movement
		err := tx.GetContext(ctx, &m, `SELECT `+qualifyMovement("m")+` FROM movements m JOIN cards c ON c.id = m.card_id
			WHERE m.id = $1 AND m.card_id = $2 AND m.partner_id = $3 AND c.cardholder_id = $4`,
			movementID, cardID, partnerID, cardholderID)
		if err != nil {
			return notFoundIf(err, "movement")
		}
		operation, ok := reversibleOperations[m.Type]
		if !ok {
			return Conflict("only loads, unloads and transfers can be reversed; this movement is " + m.Type)
		}
		var id int64
		err = tx.GetContext(ctx, &id, `
			INSERT INTO reversals (partner_id, cardholder_id, card_id, movement_id, entry_id, operation, amount, currency,
			                       reason, requested_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			partnerID, cardholderID, cardID, movementID, m.EntryID, operation, m.Amount, m.Currency, reason, actor.OperatorID)
		if isUniqueViolation(err, "reversals_entry_open_key") {
			return alreadyReversed(ctx, s.db, m.EntryID)
		}
		if err != nil {
			return fmt.Errorf("store: unable to request reversal: %w", err)
		}
		if r, err = reversalTx(ctx, tx, partnerID, id); err != nil {
			return err
		}
		if err := writeAudit(ctx, tx, actor, Event{PartnerID: partnerID, Action: "reversal.request", ObjectType: "reversal",
			ObjectID: id, After: r}); err != nil {
			return err
		}
		return publish(ctx, tx, partnerID, "reversal.requested", reversalEventOf(r, actor))
	})
	return r, err
}

// alreadyReversed explains the refusal of a second reversal of an entry (7304). It reads outside the
// failed transaction, which can run no more statements.
func alreadyReversed(ctx context.Context, q sqlx.QueryerContext, entryID string) error {
	var other struct {
		ID     int64  `db:"id"`
		Status string `db:"status"`
	}
	err := sqlx.GetContext(ctx, q, &other, `SELECT id, status FROM reversals WHERE entry_id = $1 AND status IN ('PENDING', 'APPROVED')`, entryID)
	if err != nil {
		return NewError(CodeAlreadyReversed, "this operation is already reversed or has a reversal pending")
	}
	if other.Status == ReversalApproved {
		return NewError(CodeAlreadyReversed, fmt.Sprintf("this operation was already reversed by #%d", other.ID))
	}
	return NewError(CodeAlreadyReversed, fmt.Sprintf("a reversal of this operation (#%d) is already pending", other.ID))
}

// DecideReversal approves or rejects a PENDING reversal. One conditional UPDATE decides it, so of two
// racing approvals exactly one wins; the requester can never decide it (403, audited). Approving
// writes, in the same transaction, the opposite of every movement of the operation through the
// ledger, each linked to the movement it undoes (a unique index: undone at most once); when the
// balance the money returns from no longer covers it the approval is 7303 and nothing changes.
func (s *Store) DecideReversal(ctx context.Context, actor Actor, partnerID, id int64, decision Decision, rejectReason string) (Reversal, error) {
	if actor.Type != ActorOperator || actor.OperatorID == 0 {
		return Reversal{}, NewError(CodeForbidden, "only an operator can review a reversal")
	}
	status, action := ReversalRejected, string(decision)
	var reason *string
	if decision == Approve {
		status = ReversalApproved
	} else {
		why, err := checkReason(rejectReason)
		if err != nil {
			return Reversal{}, err
		}
		reason = &why
	}
	var r Reversal
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var entry *string
		if decision == Approve {
			e := newUUID()
			entry = &e
		}
		var row struct {
			EntryID string `db:"entry_id"`
		}
		err := tx.GetContext(ctx, &row, `
			UPDATE reversals SET status = $3, reviewed_by = $4, reject_reason = $5, reversal_entry_id = $6, decided_at = now()
			WHERE id = $1 AND partner_id = $2 AND status = 'PENDING' AND requested_by <> $4
			RETURNING entry_id`, id, partnerID, status, actor.OperatorID, reason, entry)
		if errors.Is(err, sql.ErrNoRows) {
			return whyReversalNotDecided(ctx, tx, actor, partnerID, id, action)
		}
		if err != nil {
			return fmt.Errorf("store: unable to %s reversal: %w", action, err)
		}
		if decision == Approve {
			if err := reverseEntry(ctx, tx, actor, partnerID, id, row.EntryID, *entry); err != nil {
				return err
			}
		}
		if r, err = reversalTx(ctx, tx, partnerID, id); err != nil {
			return err
		}
		if err := writeAudit(ctx, tx, actor, Event{PartnerID: partnerID, Action: "reversal." + action, ObjectType: "reversal",
			ObjectID: id, Before: map[string]string{"status": ReversalPending}, After: r}); err != nil {
			return err
		}
		return publish(ctx, tx, partnerID, "reversal."+strings.ToLower(status), reversalEventOf(r, actor))
	})
	return r, err
}

// reverseEntry posts the opposite of the operation written under entryID: the money goes back from
// the account it was credited to into the account it was debited from, under the entry
// reversalEntry, and each new movement names the movement it undoes.
func reverseEntry(ctx context.Context, tx *sqlx.Tx, actor Actor, partnerID, reversalID int64, entryID, reversalEntry string) error {
	var original []Movement
	if err := tx.SelectContext(ctx, &original, `SELECT `+movementColumns+` FROM movements WHERE entry_id = $1 AND partner_id = $2
		ORDER BY id`, entryID, partnerID); err != nil {
		return fmt.Errorf("store: unable to read the operation to reverse: %w", err)
	}
	var credit, debit *Movement
	for i := range original {
		if original[i].Direction == "CREDIT" {
			credit = &original[i]
		} else {
			debit = &original[i]
		}
	}
	if credit == nil || debit == nil {
		return Conflict("this operation has no two sides to reverse")
	}
	side := func(m *Movement) *Side {
		s := &Side{AccountID: m.AccountID, Type: MovementReversal,
			InsufficientMessage: "the balance no longer covers this reversal"}
		if m.CardID != nil {
			s.CardID = *m.CardID
		}
		return s
	}
	_, err := post(ctx, tx, actor, Posting{From: side(credit), To: side(debit), Amount: credit.Amount, Currency: credit.Currency,
		Channel: ChannelCMS, Reference: "reversal:" + strconv.FormatInt(reversalID, 10),
		Description: fmt.Sprintf("Reversal #%d of movement #%d", reversalID, credit.ID), EntryID: reversalEntry})
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE movements r SET reverses_movement_id = o.id FROM movements o
		WHERE r.entry_id = $1 AND o.entry_id = $2 AND o.account_id = r.account_id`, reversalEntry, entryID)
	if isUniqueViolation(err, "movements_reverses_key") {
		return NewError(CodeAlreadyReversed, "this operation was already reversed")
	}
	if err != nil {
		return fmt.Errorf("store: unable to link the reversal: %w", err)
	}
	return nil
}

// whyReversalNotDecided explains a conditional UPDATE that matched no reversal: not found (404),
// no longer PENDING (409), or the requester deciding their own request (403, audited).
func whyReversalNotDecided(ctx context.Context, tx *sqlx.Tx, actor Actor, partnerID, id int64, action string) error {
	var row struct {
		Status      string `db:"status"`
		RequestedBy int64  `db:"requested_by"`
	}
	err := tx.GetContext(ctx, &row, `SELECT status, requested_by FROM reversals WHERE id = $1 AND partner_id = $2`, id, partnerID)
	if err != nil {
		return notFoundIf(err, "reversal")
	}
	if row.Status != ReversalPending {
		return Conflict(fmt.Sprintf("this reversal is already %s", row.Status))
	}
	if row.RequestedBy == actor.OperatorID {
		refusal := "you requested this reversal, so another operator must review it"
		if err := writeAudit(ctx, tx, actor, Event{PartnerID: partnerID, Action: "authz.refused", ObjectType: "reversal",
			ObjectID: id, After: map[string]string{"reason": refusal, "action": action}}); err != nil {
			return err
		}
		return commitThen(NewError(CodeForbidden, refusal))
	}
	return Conflict("this reversal changed meanwhile; reload and try again")
}

// ReversalFilter narrows a partner's reversal list.
type ReversalFilter struct {
	PartnerID int64
	Status    string // one of ReversalStatuses, or "" for all
	Page      Page
}

// ListReversals returns a page of the partner's reversals, newest first, and how many match.
func (s *Store) ListReversals(ctx context.Context, f ReversalFilter) ([]Reversal, int, error) {
	f.Status = strings.ToUpper(strings.TrimSpace(f.Status))
	if f.Status != "" && !slices.Contains(ReversalStatuses, f.Status) {
		var v Validation
		v.Add("status", "status must be one of "+strings.Join(ReversalStatuses, ", "))
		return nil, 0, v.Err()
	}
	where := ` WHERE r.partner_id = $1 AND ($2 = '' OR r.status = $2)`
	var total int
	if err := s.db.GetContext(ctx, &total, `SELECT count(*) FROM reversals r`+where, f.PartnerID, f.Status); err != nil {
		return nil, 0, fmt.Errorf("store: unable to count reversals: %w", err)
	}
	out := []Reversal{}
	err := s.db.SelectContext(ctx, &out, reversalSelect+where+` ORDER BY r.id DESC LIMIT $3 OFFSET $4`,
		f.PartnerID, f.Status, f.Page.Limit, f.Page.Offset())
	if err != nil {
		return nil, 0, fmt.Errorf("store: unable to list reversals: %w", err)
	}
	return out, total, nil
}

// qualifyMovement is movementColumns prefixed with a table alias.
func qualifyMovement(alias string) string {
	cols := strings.Split(movementColumns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}
