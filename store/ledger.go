package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"
)

// Movement types.
const (
	MovementTopUp         = "TOP_UP"
	MovementAddFunds      = "ADD_FUNDS"
	MovementWithdrawFunds = "WITHDRAW_FUNDS"
	MovementTransferOut   = "TRANSFER_OUT"
	MovementTransferIn    = "TRANSFER_IN"
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
}

// movementColumns lists Movement's columns in a SELECT.
const movementColumns = `id, entry_id, account_id, partner_id, card_id, type, direction, amount, currency, balance_after,
	counterpart_account_id, counterpart_card_id, channel, reference, description, custom_keys,
	actor_type, actor_id, actor_label, created_at`

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
}

type sideUpdate struct {
	side      *Side
	direction string
	other     *Side
}

// post applies p inside tx: each account is changed by one conditional UPDATE (a debit only when the
// balance covers it), in ascending account id so that crossing postings cannot deadlock, and each
// change writes its movement with the balance after it.
func post(ctx context.Context, tx *sqlx.Tx, actor Actor, p Posting) ([]Movement, error) {
	if !p.Amount.IsPositive() {
		return nil, NewError(CodeGreaterThanZero, "amount must be greater than zero")
	}
	var updates []sideUpdate
	if p.From != nil {
		updates = append(updates, sideUpdate{side: p.From, direction: "DEBIT", other: p.To})
	}
	if p.To != nil {
		updates = append(updates, sideUpdate{side: p.To, direction: "CREDIT", other: p.From})
	}
	if len(updates) == 2 && updates[1].side.AccountID < updates[0].side.AccountID {
		updates[0], updates[1] = updates[1], updates[0]
	}
	entryID := newUUID()
	movements := make([]Movement, 0, len(updates))
	for _, u := range updates {
		var row struct {
			Balance   decimal.Decimal `db:"balance"`
			Currency  string          `db:"currency"`
			PartnerID int64           `db:"partner_id"`
		}
		var err error
		if u.direction == "DEBIT" {
			err = tx.GetContext(ctx, &row, `
				UPDATE accounts SET balance = balance - $2, updated_at = now()
				WHERE id = $1 AND balance >= $2
				RETURNING balance, currency, partner_id`, u.side.AccountID, p.Amount)
			if err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					msg := u.side.InsufficientMessage
					if msg == "" {
						msg = "insufficient funds"
					}
					return nil, NewError(CodeInsufficientFunds, msg)
				}
				return nil, fmt.Errorf("store: unable to debit account: %w", err)
			}
		} else {
			err = tx.GetContext(ctx, &row, `
				UPDATE accounts SET balance = balance + $2, updated_at = now()
				WHERE id = $1
				RETURNING balance, currency, partner_id`, u.side.AccountID, p.Amount)
			if err != nil {
				return nil, fmt.Errorf("store: unable to credit account: %w", notFoundIf(err, "account"))
			}
		}
		if row.Currency != p.Currency {
			return nil, &Error{Code: CodeCheckParameters, Message: "currency does not match the account",
				Fields: []FieldError{{Field: "currency", Code: CodeCheckParameters,
					Message: fmt.Sprintf("currency must be %s", row.Currency)}}}
		}
		var m Movement
		err = tx.GetContext(ctx, &m, `
			INSERT INTO movements (entry_id, account_id, partner_id, card_id, type, direction, amount, currency,
			                       balance_after, counterpart_account_id, counterpart_card_id, channel, reference,
			                       description, custom_keys, actor_type, actor_id, actor_label)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
			RETURNING `+movementColumns,
			entryID, u.side.AccountID, row.PartnerID, nullID(u.side.CardID), u.side.Type, u.direction, p.Amount,
			row.Currency, row.Balance, otherAccount(u.other), otherCard(u.other), p.Channel, p.Reference,
			p.Description, nullJSON(p.CustomKeys), actor.kind(), actor.id(), actor.Label)
		if err != nil {
			return nil, fmt.Errorf("store: unable to write movement: %w", err)
		}
		movements = append(movements, m)
	}
	return movements, nil
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
