package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"
)

// applyBatch applies a batch in one transaction and answers each operation. A serialization
// failure or deadlock reruns the whole batch (inTx), and so does a key found used when the replies
// are kept (errKeysUsed), its operation then answered as a replay. When the database refuses the
// batch's data (a constraint or a value out of range, which the checks before it should have
// caught), each operation is applied again on its own, so that only the one at fault fails.
func (s *Store) applyBatch(batch []*batchItem) {
	ctx := context.Background()
	var err error
	for attempt := 0; attempt <= len(batch); attempt++ {
		err = s.inTx(ctx, func(tx *sqlx.Tx) error { return applyBatchTx(ctx, tx, batch) })
		if !errors.Is(err, errKeysUsed) {
			break
		}
	}
	if err != nil && len(batch) > 1 && refusedData(err) {
		for _, it := range batch {
			s.applyBatch([]*batchItem{it})
		}
		return
	}
	for _, it := range batch {
		r := it.result
		if err != nil {
			r = batchResult{err: err}
		}
		it.done <- r
	}
}

// refusedData reports a PostgreSQL data exception (class 22) or integrity violation (class 23).
func refusedData(err error) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && (pe.Code.Class() == "22" || pe.Code.Class() == "23")
}

// applyBatchTx applies the operations of a batch inside tx, in their order, in four round trips:
// BEGIN; the cards under FOR SHARE and their accounts under FOR UPDATE, both in id order
// (lockBatch), so that batches and the single-operation transactions of other features never
// deadlock each other; the new balances and the movements, computed here one operation after the
// other on the locked rows (postBatch); the audit rows and the kept replies (keepOutcomes); COMMIT.
// An operation whose card the caller may not see is answered 7200 and not kept, so that it can be
// corrected and sent again.
func applyBatchTx(ctx context.Context, tx *sqlx.Tx, batch []*batchItem) error {
	for _, it := range batch {
		it.state, it.result, it.cards, it.posting = itemOpen, batchResult{}, nil, Posting{}
	}
	accounts, err := lockBatch(ctx, tx, batch)
	if err != nil {
		return err
	}
	if err := replayUsedKeys(ctx, tx, batch); err != nil {
		return err
	}
	if err := preparePostings(batch); err != nil {
		return err
	}
	if err := postBatch(ctx, tx, batch, accounts); err != nil {
		return err
	}
	return keepOutcomes(ctx, tx, batch)
}

// refuse settles an operation with a business refusal; it writes nothing but, with a key, its reply.
func (it *batchItem) refuse(e *Error) {
	it.state, it.result.err = itemRefused, e
}

// lockBatch reads the cards of the batch under FOR SHARE and locks their accounts and their
// partners' accounts under FOR UPDATE, in one statement (lockBatchSQL). It gives each operation its
// cards, or answers it 7200 when it may not see one of them, and returns the locked accounts.
func lockBatch(ctx context.Context, tx *sqlx.Tx, batch []*batchItem) (map[int64]*batchAccount, error) {
	var ids []int64
	for _, it := range batch {
		first, second := it.op.cards()
		ids = append(ids, first, second)
	}
	var rows []struct {
		Card bool `db:"card"`
		fundsCard
		Balance decimal.Decimal `db:"balance"`
	}
	if err := tx.SelectContext(ctx, &rows, lockBatchSQL, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("store: unable to lock cards and accounts: %w", err)
	}
	read := make(map[int64]fundsCard, len(ids))
	accounts := make(map[int64]*batchAccount, len(rows))
	for _, r := range rows {
		if r.Card {
			read[r.ID] = r.fundsCard
		} else {
			accounts[r.ID] = &batchAccount{ID: r.ID, PartnerID: r.PartnerID, Currency: r.Currency, Balance: r.Balance}
		}
	}
	for _, it := range batch {
		var err error
		if it.cards, err = visibleCards(it.op, read); err != nil {
			it.state, it.result.err = itemUnseen, err
		}
	}
	return accounts, nil
}

// lockBatchSQL returns the cards as lockCardsSQL does (card = true), then the accounts of those
// cards and of their partners, locked in id order (card = false: id, partner_id, currency and
// balance). The branches of UNION ALL run in order, so every card is locked before any account.
const lockBatchSQL = `
	WITH c AS (` + lockCardsSQL + `
	)
	SELECT true AS card, id, partner_id, cardholder_id, account_id, status, currency, partner_account_id, 0 AS balance FROM c
	UNION ALL
	SELECT false, id, partner_id, NULL, 0, '', currency, NULL, balance FROM (
	    SELECT id, partner_id, currency, balance FROM accounts
	    WHERE id = ANY (ARRAY(SELECT account_id FROM c UNION SELECT partner_account_id FROM c WHERE partner_account_id IS NOT NULL))
	    ORDER BY id
	    FOR UPDATE) AS locked`

// preparePostings turns each open operation into its posting, or refuses it.
func preparePostings(batch []*batchItem) error {
	for _, it := range batch {
		if it.state != itemOpen {
			continue
		}
		p, err := it.op.posting(it.cards)
		if e, ok := AsError(err); ok {
			it.refuse(e)
			continue
		}
		if err != nil {
			return err
		}
		it.state, it.posting = itemPosting, p
	}
	return nil
}

// jsonParam encodes records as a JSON array parameter; none is an empty array.
func jsonParam[T any](records []T) (string, error) {
	if len(records) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(records)
	if err != nil {
		return "", fmt.Errorf("store: unable to encode batch: %w", err)
	}
	return string(b), nil
}
