package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"
)

// applyBatch applies a batch in one transaction, begun already when begun is not nil, and sets each
// operation's result. A serialization failure or deadlock reruns the whole batch (inTx), and so
// does a key found used when the replies are kept (errKeysUsed), its operation then answered as a
// replay. When the database refuses the batch's data (a constraint or a value out of range, which
// the checks before it should have caught), each operation is applied again on its own, so that
// only the one at fault fails.
func (s *Store) applyBatch(batch []*batchItem, begun *sqlx.Tx) {
	ctx := context.Background()
	var err error
	for attempt := 0; attempt <= len(batch); attempt++ {
		err = s.inBegunTx(ctx, begun, func(tx *sqlx.Tx) error { return applyBatchTx(ctx, tx, batch) })
		begun = nil
		if !errors.Is(err, errKeysUsed) {
			break
		}
	}
	if err != nil && len(batch) > 1 && refusedData(err) {
		for _, it := range batch {
			s.applyBatch([]*batchItem{it}, nil)
		}
		return
	}
	if err != nil {
		for _, it := range batch {
			it.result = batchResult{err: err}
		}
	}
}

// refusedData reports a PostgreSQL data exception (class 22) or integrity violation (class 23).
func refusedData(err error) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && (pe.Code.Class() == "22" || pe.Code.Class() == "23")
}

// applyBatchTx applies the operations of a batch inside tx, in their order, in four round trips:
// BEGIN; the cards under FOR SHARE and their accounts under FOR UPDATE, both in id order, so that
// batches and the single-operation transactions of other features never deadlock each other
// (lockBatch); then, once the balances are computed here one operation after the other on the
// locked rows (postBatch) and the replies made, the balances, the movements, the audit rows and the
// kept replies in one statement (writeBatch); COMMIT. An operation whose card the caller may not
// see is answered 7200 and not kept, so that it can be corrected and sent again.
func applyBatchTx(ctx context.Context, tx *sqlx.Tx, batch []*batchItem) error {
	for _, it := range batch {
		it.state, it.result, it.cards, it.posting = itemOpen, batchResult{}, nil, Posting{}
	}
	accounts, clock, err := lockBatch(ctx, tx, batch)
	if errors.Is(err, driver.ErrBadConn) {
		return fmt.Errorf("%w: %w", errBegunTxLost, err)
	}
	if err != nil {
		return err
	}
	if err := replayUsedKeys(ctx, tx, batch); err != nil {
		return err
	}
	if err := preparePostings(batch); err != nil {
		return err
	}
	balances, err := postBatch(batch, accounts, clock)
	if err != nil {
		return err
	}
	return writeBatch(ctx, tx, batch, balances)
}

// refuse settles an operation with a business refusal; it writes nothing but, with a key, its reply.
func (it *batchItem) refuse(e *Error) {
	it.state, it.result.err = itemRefused, e
}

// lockBatch reads the cards of the batch under FOR SHARE and locks their accounts and their
// partners' accounts under FOR UPDATE, in one statement (lockBatchSQL). It gives each operation its
// cards, or answers it 7200 when it may not see one of them, and returns the locked accounts and
// the batch's clock: the time once the locks are held and two movement ids per operation.
func lockBatch(ctx context.Context, tx *sqlx.Tx, batch []*batchItem) (map[int64]*batchAccount, *batchClock, error) {
	var ids []int64
	for _, it := range batch {
		first, second := it.op.cards()
		ids = append(ids, first, second)
	}
	var rows []struct {
		Kind string `db:"kind"`
		fundsCard
		Balance  decimal.Decimal `db:"balance"`
		At       sql.NullTime    `db:"at"`
		Reserved pq.Int64Array   `db:"reserved"`
	}
	if err := tx.SelectContext(ctx, &rows, lockBatchSQL, pq.Array(ids), 2*len(batch)); err != nil {
		return nil, nil, fmt.Errorf("store: unable to lock cards and accounts: %w", err)
	}
	read := make(map[int64]fundsCard, len(ids))
	accounts := make(map[int64]*batchAccount, len(rows))
	clock := &batchClock{}
	for _, r := range rows {
		switch r.Kind {
		case "card":
			read[r.ID] = r.fundsCard
		case "account":
			accounts[r.ID] = &batchAccount{ID: r.ID, PartnerID: r.PartnerID, Currency: r.Currency, Locked: r.Balance, Balance: r.Balance}
		case "clock":
			clock.at, clock.ids = r.At.Time, r.Reserved
		}
	}
	if len(clock.ids) != 2*len(batch) {
		return nil, nil, errors.New("store: the batch's movement ids were not reserved")
	}
	for _, it := range batch {
		var err error
		if it.cards, err = visibleCards(it.op, read); err != nil {
			it.state, it.result.err = itemUnseen, err
		}
	}
	return accounts, clock, nil
}

// lockBatchSQL returns the cards as lockCardsSQL does (kind card), then the accounts of those cards
// and of their partners, locked in id order (kind account: id, partner_id, currency and balance),
// then the batch's clock (kind clock: the time and $2 movement ids). The branches of UNION ALL run
// in order: every card is locked before any account, and the clock is read once all are locked, so
// that a later batch touching one of these accounts, which waits for them, has a later time.
const lockBatchSQL = `
	WITH c AS (` + lockCardsSQL + `
	)
	SELECT 'card' AS kind, id, partner_id, cardholder_id, account_id, status, currency, partner_account_id,
	       0 AS balance, NULL::timestamptz AS at, NULL::bigint[] AS reserved
	FROM c
	UNION ALL
	SELECT 'account', id, partner_id, NULL, 0, '', currency, NULL, balance, NULL, NULL FROM (
	    SELECT id, partner_id, currency, balance FROM accounts
	    WHERE id = ANY (ARRAY(SELECT account_id FROM c UNION SELECT partner_account_id FROM c WHERE partner_account_id IS NOT NULL))
	    ORDER BY id
	    FOR UPDATE) AS locked
	UNION ALL
	SELECT 'clock', 0, 0, NULL, 0, '', '', NULL, 0, clock_timestamp(),
	       ARRAY(SELECT nextval('movements_id_seq') FROM generate_series(1, $2::integer))`

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
