package store

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"
)

// Movement types.
const (
	MovementTopUp         = "TOP_UP"
	MovementAddFunds      = "ADD_FUNDS"
	MovementWithdrawFunds = "WITHDRAW_FUNDS"
	MovementTransferOut   = "TRANSFER_OUT"
	MovementTransferIn    = "TRANSFER_IN"
	// A replacement moves a card's whole balance to the card that replaces it (card_replace.go).
	MovementReplacementOut = "REPLACEMENT_OUT"
	MovementReplacementIn  = "REPLACEMENT_IN"
	// A reversal undoes an approved operation, each movement by its opposite (reversals.go).
	MovementReversal = "REVERSAL"
)

// Movement is one line of an account's history, written with the balance after it.
type Movement struct {
	ID                   int64           `db:"id" json:"id"`
	EntryID              string          `db:"entry_id" json:"entryId"`
	AccountID            int64           `db:"account_id" json:"accountId"`
	PartnerID            int64           `db:"partner_id" json:"partnerId"`
	CardID               *int64          `db:"card_id" json:"cardId"`
	Type                 string          `db:"type" json:"type"`
	Direction            string          `db:"direction" json:"direction"`
	Amount               decimal.Decimal `db:"amount" json:"amount"`
	Currency             string          `db:"currency" json:"currency"`
	BalanceAfter         decimal.Decimal `db:"balance_after" json:"balanceAfter"`
	CounterpartAccountID *int64          `db:"counterpart_account_id" json:"counterpartAccountId"`
	CounterpartCardID    *int64          `db:"counterpart_card_id" json:"counterpartCardId"`
	Channel              string          `db:"channel" json:"channel"`
	Reference            string          `db:"reference" json:"reference"`
	Description          string          `db:"description" json:"description"`
	CustomKeys           JSONB           `db:"custom_keys" json:"customKeys"`
	ActorType            string          `db:"actor_type" json:"actorType"`
	ActorID              *int64          `db:"actor_id" json:"actorId"`
	ActorLabel           string          `db:"actor_label" json:"actorLabel"`
	CreatedAt            time.Time       `db:"created_at" json:"createdAt"`
	// ReversesMovementID is the movement a REVERSAL movement undoes.
	ReversesMovementID *int64 `db:"reverses_movement_id" json:"reversesMovementId"`
}

// movementColumns lists Movement's columns in a SELECT.
const movementColumns = `id, entry_id, account_id, partner_id, card_id, type, direction, amount, currency, balance_after,
	counterpart_account_id, counterpart_card_id, channel, reference, description, custom_keys,
	actor_type, actor_id, actor_label, created_at, reverses_movement_id`

// Side is an account that a posting touches; CardID is set when the account is a card's.
type Side struct {
	AccountID int64
	CardID    int64
	Type      string // the movement type written on this side
	// InsufficientMessage is the message of the 7303 error when this side, as the source, is short.
	InsufficientMessage string
}

// Posting moves Amount out of From into To in one transaction. A nil From is money entering the
// program (an approved top-up); a nil To is money leaving it.
type Posting struct {
	From, To    *Side
	Amount      decimal.Decimal
	Currency    string // every touched account must hold this currency
	Channel     string
	Reference   string
	Description string
	CustomKeys  json.RawMessage
	EntryID     string // the entry's id when the caller recorded it beforehand (a reversal); else a new one
}

// postStatements are the statements of a posting with one and with two sides (postSQL).
var postStatements = [3]string{1: postSQL(1), 2: postSQL(2)}

// postSQL is one statement that applies a posting of n sides, given in ascending account id: side i
// changes its account by a signed delta ($a = account, $a+1 = delta) only when the balance stays
// non-negative, and does so only after side i-1 was applied (its EXISTS), so the row locks are
// taken in ascending account id. The movements are inserted only when every side was applied; a
// statement that inserts nothing changed at most the balances of a transaction the caller rolls
// back. Parameters $1 to $9 are the posting's; each side has seven from $10 (postSide.params).
func postSQL(n int) string {
	var with, insert []string
	for i := range n {
		a := 10 + 7*i
		p := func(k int) string { return "$" + strconv.Itoa(a+k) }
		cond := ""
		if i > 0 {
			cond = fmt.Sprintf(" AND EXISTS (SELECT FROM s%d)", i-1)
		}
		with = append(with, fmt.Sprintf(`s%d AS (
			UPDATE accounts SET balance = balance + %[2]s::numeric, updated_at = now()
			WHERE id = %[3]s::bigint AND balance + %[2]s::numeric >= 0%[4]s
			RETURNING id, balance, currency, partner_id)`, i, p(1), p(0), cond))
		insert = append(insert, fmt.Sprintf(`
		SELECT $1::uuid, id, partner_id, %s::bigint, %s::text, %s::text, $2::numeric, currency, balance, %s::bigint, %s::bigint,
		       $3::text, $4::text, $5::text, $6::jsonb, $7::text, $8::bigint, $9::text
		FROM s%d WHERE EXISTS (SELECT FROM s%d)`, p(2), p(3), p(4), p(5), p(6), i, n-1))
	}
	return "WITH " + strings.Join(with, ", ") + `
		INSERT INTO movements (entry_id, account_id, partner_id, card_id, type, direction, amount, currency, balance_after,
		                       counterpart_account_id, counterpart_card_id, channel, reference, description, custom_keys,
		                       actor_type, actor_id, actor_label)` + strings.Join(insert, "\n\t\tUNION ALL") + `
		RETURNING ` + movementColumns
}

// postSide is one account a posting changes.
type postSide struct {
	side      *Side
	direction string
	delta     decimal.Decimal
	other     *Side
}

// params are the side's seven parameters in postSQL.
func (s postSide) params() []any {
	return []any{s.side.AccountID, s.delta, nullID(s.side.CardID), s.side.Type, s.direction, otherAccount(s.other), otherCard(s.other)}
}

// post applies p inside tx in one statement (postSQL): each account is changed by one conditional
// UPDATE (a debit only when the balance covers it), in ascending account id so that crossing
// postings cannot deadlock, and each change writes its movement with the balance after it.
func post(ctx context.Context, tx *sqlx.Tx, actor Actor, p Posting) ([]Movement, error) {
	sides, err := postingSides(p)
	if err != nil {
		return nil, err
	}
	entry := p.EntryID
	if entry == "" {
		entry = newUUID()
	}
	args := []any{entry, p.Amount, p.Channel, p.Reference, p.Description, nullJSON(p.CustomKeys),
		actor.kind(), actor.id(), actor.Label}
	for _, s := range sides {
		args = append(args, s.params()...)
	}
	var movements []Movement
	if err := tx.SelectContext(ctx, &movements, postStatements[len(sides)], args...); err != nil {
		return nil, fmt.Errorf("store: unable to post: %w", err)
	}
	if len(movements) == 0 {
		return nil, whyNotPosted(ctx, tx, p)
	}
	for _, m := range movements {
		if m.Currency != p.Currency {
			return nil, otherCurrency(m.Currency)
		}
	}
	return movements, nil
}

// postingSides are the accounts p changes, in ascending account id, the order in which they are
// locked.
func postingSides(p Posting) ([]postSide, error) {
	if !p.Amount.IsPositive() {
		return nil, NewError(CodeGreaterThanZero, "amount must be greater than zero")
	}
	var sides []postSide
	if p.From != nil {
		sides = append(sides, postSide{side: p.From, direction: "DEBIT", delta: p.Amount.Neg(), other: p.To})
	}
	if p.To != nil {
		sides = append(sides, postSide{side: p.To, direction: "CREDIT", delta: p.Amount, other: p.From})
	}
	switch {
	case len(sides) == 0:
		return nil, errors.New("store: a posting needs at least one side")
	case len(sides) == 2 && sides[0].side.AccountID == sides[1].side.AccountID:
		return nil, errors.New("store: a posting cannot move money from an account to itself")
	case len(sides) == 2 && sides[1].side.AccountID < sides[0].side.AccountID:
		sides[0], sides[1] = sides[1], sides[0]
	}
	return sides, nil
}

// otherCurrency refuses a posting in a currency that an account it touches does not hold.
func otherCurrency(accountCurrency string) *Error {
	return &Error{Code: CodeCheckParameters, Message: "currency does not match the account",
		Fields: []FieldError{{Field: "currency", Code: CodeCheckParameters,
			Message: fmt.Sprintf("currency must be %s", accountCurrency)}}}
}

// insufficientFunds refuses a posting whose source does not cover its amount (7303).
func insufficientFunds(p Posting) *Error {
	msg := p.From.InsufficientMessage
	if msg == "" {
		msg = "insufficient funds"
	}
	return NewError(CodeInsufficientFunds, msg)
}

// whyNotPosted explains a posting that changed nothing: an account that does not exist, or else the
// source's balance that does not cover the amount (7303).
func whyNotPosted(ctx context.Context, tx *sqlx.Tx, p Posting) error {
	var ids []int64
	for _, s := range []*Side{p.From, p.To} {
		if s != nil {
			ids = append(ids, s.AccountID)
		}
	}
	var found int
	if err := tx.GetContext(ctx, &found, `SELECT count(*) FROM accounts WHERE id = ANY($1)`, pq.Array(ids)); err != nil {
		return fmt.Errorf("store: unable to read accounts: %w", err)
	}
	if found < len(ids) || p.From == nil {
		return NotFound("account")
	}
	return insufficientFunds(p)
}

func otherAccount(s *Side) *int64 {
	if s == nil {
		return nil
	}
	return &s.AccountID
}

func otherCard(s *Side) *int64 {
	if s == nil {
		return nil
	}
	return nullID(s.CardID)
}

func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func nullJSON(b json.RawMessage) any {
	if len(b) == 0 {
		return nil
	}
	return []byte(b)
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
