package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// applyBatch applies a batch in one transaction and answers each operation. A serialization
// failure or deadlock reruns the whole batch (inTx). When the database refuses the batch's data (a
// constraint or a value out of range, which the checks before it should have caught), each
// operation is applied again on its own, so that only the one at fault fails.
func (s *Store) applyBatch(batch []*batchItem) {
	ctx := context.Background()
	err := s.inTx(ctx, func(tx *sqlx.Tx) error { return applyBatchTx(ctx, tx, batch) })
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

// applyBatchTx applies the operations of a batch inside tx, in their order, taking every lock in one
// global order so that batches, and the single-operation transactions of other features, never
// deadlock each other: cards under FOR SHARE in id order, then idempotency keys in key order, then
// accounts under FOR UPDATE in id order. An operation whose card the caller may not see is answered
// 7200 before its key is claimed, so that it is not kept and can be corrected and sent again. The
// balances are computed one operation after the other on the locked rows and written with the
// movements in one statement (postBatch).
func applyBatchTx(ctx context.Context, tx *sqlx.Tx, batch []*batchItem) error {
	for _, it := range batch {
		it.state, it.result, it.cards, it.posting = itemOpen, batchResult{}, nil, Posting{}
	}
	if err := readBatchCards(ctx, tx, batch); err != nil {
		return err
	}
	if err := claimKeys(ctx, tx, batch); err != nil {
		return err
	}
	if err := preparePostings(batch); err != nil {
		return err
	}
	if err := postBatch(ctx, tx, batch); err != nil {
		return err
	}
	return keepOutcomes(ctx, tx, batch)
}

// refuse settles an operation with a business refusal; it writes nothing but, with a key, its reply.
func (it *batchItem) refuse(e *Error) {
	it.state, it.result.err = itemRefused, e
}

// keyRecord is an idempotency key as claimKeysSQL takes it.
type keyRecord struct {
	Scope       string `json:"scope"`
	Key         string `json:"key"`
	Fingerprint []byte `json:"fingerprint"`
}

// scopedKey is a key as claimKeysSQL returns it.
type scopedKey struct {
	Scope string `db:"scope"`
	Key   string `db:"key"`
}

// claimKeys inserts the key rows of the batch's keyed operations. A key used before (committed by
// an earlier transaction; one still running is waited for) settles its operation with the reply
// kept under it, or with 7006 when the request differs.
func claimKeys(ctx context.Context, tx *sqlx.Tx, batch []*batchItem) error {
	var keys []keyRecord
	for _, it := range batch {
		if it.once != nil && it.state == itemOpen {
			keys = append(keys, keyRecord{it.once.Scope, it.once.Key, it.once.Fingerprint})
		}
	}
	if len(keys) == 0 {
		return nil
	}
	param, err := jsonParam(keys)
	if err != nil {
		return err
	}
	var claimed []scopedKey
	if err := tx.SelectContext(ctx, &claimed, claimKeysSQL, param); err != nil {
		return fmt.Errorf("store: unable to claim idempotency keys: %w", err)
	}
	fresh := make(map[scopedKey]bool, len(claimed))
	for _, k := range claimed {
		fresh[k] = true
	}
	for _, it := range batch {
		if it.once == nil || it.state != itemOpen || fresh[scopedKey{it.once.Scope, it.once.Key}] {
			continue
		}
		it.state = itemReplayed
		it.result.reply, it.result.err = storedReply(ctx, tx, *it.once)
		if _, business := AsError(it.result.err); it.result.err != nil && !business {
			return it.result.err
		}
		it.result.replayed = it.result.err == nil
	}
	return nil
}

// claimKeysSQL inserts the keys given as a JSON array, in key order, and returns those it inserted.
const claimKeysSQL = `
	INSERT INTO idempotency_keys (scope, key, fingerprint)
	SELECT k.scope, k.key, decode(k.fingerprint, 'base64')
	FROM jsonb_to_recordset($1::jsonb) AS k(scope text, key text, fingerprint text)
	ORDER BY k.scope, k.key
	ON CONFLICT DO NOTHING
	RETURNING scope, key`

// readBatchCards reads the cards of the batch under FOR SHARE, in id order, and gives each
// operation its cards, or answers it 7200 when it may not see one of them.
func readBatchCards(ctx context.Context, tx *sqlx.Tx, batch []*batchItem) error {
	var ids []int64
	for _, it := range batch {
		first, second := it.op.cards()
		ids = append(ids, first, second)
	}
	read, err := lockFundsCards(ctx, tx, ids)
	if err != nil {
		return err
	}
	for _, it := range batch {
		it.cards, err = visibleCards(it.op, read)
		if err != nil {
			it.state, it.result.err = itemUnseen, err
		}
	}
	return nil
}

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

// keepOutcomes writes the audit rows of the operations that applied and keeps the reply of every
// keyed operation that applied or was refused, in one statement.
func keepOutcomes(ctx context.Context, tx *sqlx.Tx, batch []*batchItem) error {
	type replyRecord struct {
		Scope  string `json:"scope"`
		Key    string `json:"key"`
		Status int    `json:"status"`
		Body   []byte `json:"body"`
	}
	var replies []replyRecord
	var audits []auditRecord
	for _, it := range batch {
		if it.state == itemApplied {
			rec, err := newAuditRecord(it.actor, it.op.event(it.result.movements))
			if err != nil {
				return err
			}
			audits = append(audits, rec)
		}
		if it.once == nil || (it.state != itemApplied && it.state != itemRefused) {
			continue
		}
		refusal, _ := AsError(it.result.err)
		reply, err := it.reply(it.result.movements, refusal)
		if err != nil {
			return err
		}
		it.result.reply, it.result.err = reply, nil
		replies = append(replies, replyRecord{it.once.Scope, it.once.Key, reply.Status, reply.Body})
	}
	if len(audits) == 0 && len(replies) == 0 {
		return nil
	}
	auditParam, err := jsonParam(audits)
	if err != nil {
		return err
	}
	replyParam, err := jsonParam(replies)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, keepOutcomesSQL, auditParam, replyParam); err != nil {
		return fmt.Errorf("store: unable to record replies and audit: %w", err)
	}
	return nil
}

// keepOutcomesSQL appends the audit rows ($1) in their order and stores the replies ($2), both JSON
// arrays.
const keepOutcomesSQL = `
	WITH audit AS (
	    INSERT INTO audit_log (actor_type, actor_id, actor_label, partner_id, action, object_type, object_id,
	                           before, after, request_id, ip)
	    SELECT actor_type, actor_id, actor_label, partner_id, action, object_type, object_id, before, after, request_id, ip
	    FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(rec, seq),
	         jsonb_to_record(e.rec) AS a(actor_type text, actor_id bigint, actor_label text, partner_id bigint,
	                                     action text, object_type text, object_id text, before jsonb, after jsonb,
	                                     request_id text, ip text)
	    ORDER BY e.seq)
	UPDATE idempotency_keys k SET status = r.status, body = decode(r.body, 'base64')
	FROM jsonb_to_recordset($2::jsonb) AS r(scope text, key text, status integer, body text)
	WHERE k.scope = r.scope AND k.key = r.key`

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
