package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"
)

// batchAccount is an account locked by a batch, with the balance its operations have left so far.
type batchAccount struct {
	ID        int64
	PartnerID int64
	Currency  string
	Balance   decimal.Decimal
	changed   bool
}

// movementRecord is a movement as postBatch writes it.
type movementRecord struct {
	EntryID              string          `json:"entry_id"`
	AccountID            int64           `json:"account_id"`
	PartnerID            int64           `json:"partner_id"`
	CardID               *int64          `json:"card_id"`
	Type                 string          `json:"type"`
	Direction            string          `json:"direction"`
	Amount               decimal.Decimal `json:"amount"`
	Currency             string          `json:"currency"`
	BalanceAfter         decimal.Decimal `json:"balance_after"`
	CounterpartAccountID *int64          `json:"counterpart_account_id"`
	CounterpartCardID    *int64          `json:"counterpart_card_id"`
	Channel              string          `json:"channel"`
	Reference            string          `json:"reference"`
	Description          string          `json:"description"`
	CustomKeys           json.RawMessage `json:"custom_keys"`
	ActorType            string          `json:"actor_type"`
	ActorID              *int64          `json:"actor_id"`
	ActorLabel           string          `json:"actor_label"`
}

// balanceRecord is an account's balance after the batch.
type balanceRecord struct {
	ID      int64           `json:"id"`
	Balance decimal.Decimal `json:"balance"`
}

// postBatch applies the batch's postings one after the other to the balances of their accounts,
// locked by lockBatch, refusing a posting whose source does not cover it (7303), and writes the new
// balances and every movement, in order, in one statement.
func postBatch(ctx context.Context, tx *sqlx.Tx, batch []*batchItem, accounts map[int64]*batchAccount) error {
	var records []movementRecord
	entries := map[string]*batchItem{}
	for _, it := range batch {
		if it.state != itemPosting {
			continue
		}
		recs, err := postInMemory(accounts, it.actor, it.posting)
		if e, ok := AsError(err); ok {
			it.refuse(e)
			continue
		}
		if err != nil {
			return err
		}
		it.state = itemApplied
		entries[recs[0].EntryID] = it
		records = append(records, recs...)
	}
	if len(records) == 0 {
		return nil
	}
	var balances []balanceRecord
	for _, a := range accounts {
		if a.changed {
			balances = append(balances, balanceRecord{a.ID, a.Balance})
		}
	}
	sort.Slice(balances, func(i, j int) bool { return balances[i].ID < balances[j].ID })
	balanceParam, err := jsonParam(balances)
	if err != nil {
		return err
	}
	movementParam, err := jsonParam(records)
	if err != nil {
		return err
	}
	var movements []Movement
	if err := tx.SelectContext(ctx, &movements, writePostingsSQL, balanceParam, movementParam); err != nil {
		return fmt.Errorf("store: unable to post: %w", err)
	}
	sort.Slice(movements, func(i, j int) bool { return movements[i].ID < movements[j].ID })
	for _, m := range movements {
		it := entries[m.EntryID]
		it.result.movements = append(it.result.movements, m)
	}
	return nil
}

// postInMemory applies p to the locked accounts and returns its movements, or refuses it as post
// would: an account that does not exist, another currency, or a source that does not cover the
// amount (7303). A refused posting changes nothing.
func postInMemory(accounts map[int64]*batchAccount, actor Actor, p Posting) ([]movementRecord, error) {
	sides, err := postingSides(p)
	if err != nil {
		return nil, err
	}
	after := make([]decimal.Decimal, len(sides))
	for i, s := range sides {
		a, ok := accounts[s.side.AccountID]
		if !ok {
			return nil, NotFound("account")
		}
		if after[i] = a.Balance.Add(s.delta); after[i].IsNegative() {
			return nil, insufficientFunds(p)
		}
	}
	for _, s := range sides {
		if a := accounts[s.side.AccountID]; a.Currency != p.Currency {
			return nil, otherCurrency(a.Currency)
		}
	}
	entry := newUUID()
	records := make([]movementRecord, len(sides))
	for i, s := range sides {
		a := accounts[s.side.AccountID]
		a.Balance, a.changed = after[i], true
		records[i] = movementRecord{EntryID: entry, AccountID: a.ID, PartnerID: a.PartnerID, CardID: nullID(s.side.CardID),
			Type: s.side.Type, Direction: s.direction, Amount: p.Amount, Currency: a.Currency, BalanceAfter: after[i],
			CounterpartAccountID: otherAccount(s.other), CounterpartCardID: otherCard(s.other),
			Channel: p.Channel, Reference: p.Reference, Description: p.Description, CustomKeys: nullRaw(p.CustomKeys),
			ActorType: actor.kind(), ActorID: actor.id(), ActorLabel: actor.Label}
	}
	return records, nil
}

// nullRaw is b, or nil (JSON null) when it is empty.
func nullRaw(b json.RawMessage) json.RawMessage {
	if len(b) == 0 {
		return nil
	}
	return b
}

// writePostingsSQL sets the balances ($1) and inserts the movements ($2) in their order, both JSON
// arrays; movement times follow that order (created_at defaults to the clock at insert).
const writePostingsSQL = `
	WITH balances AS (
	    UPDATE accounts a SET balance = b.balance, updated_at = now()
	    FROM jsonb_to_recordset($1::jsonb) AS b(id bigint, balance numeric)
	    WHERE a.id = b.id)
	INSERT INTO movements (entry_id, account_id, partner_id, card_id, type, direction, amount, currency, balance_after,
	                       counterpart_account_id, counterpart_card_id, channel, reference, description, custom_keys,
	                       actor_type, actor_id, actor_label)
	SELECT m.entry_id, m.account_id, m.partner_id, m.card_id, m.type, m.direction, m.amount, m.currency, m.balance_after,
	       m.counterpart_account_id, m.counterpart_card_id, m.channel, m.reference, m.description, m.custom_keys,
	       m.actor_type, m.actor_id, m.actor_label
	FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS e(rec, seq),
	     jsonb_to_record(e.rec) AS m(entry_id uuid, account_id bigint, partner_id bigint, card_id bigint, type text,
	                                 direction text, amount numeric, currency text, balance_after numeric,
	                                 counterpart_account_id bigint, counterpart_card_id bigint, channel text,
	                                 reference text, description text, custom_keys jsonb, actor_type text,
	                                 actor_id bigint, actor_label text)
	ORDER BY e.seq
	RETURNING ` + movementColumns
