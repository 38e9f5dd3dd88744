package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// errKeysUsed rolls back a batch in which some keys turned out to be used already (by an earlier
// request, or by a concurrent one that committed first); their operations are marked used and the
// batch runs again, answering them with the kept replies.
var errKeysUsed = errors.New("store: idempotency keys already used")

// replayUsedKeys answers each operation whose key was found used with the reply kept under it, or
// with 7006 when the request differs.
func replayUsedKeys(ctx context.Context, tx *sqlx.Tx, batch []*batchItem) error {
	for _, it := range batch {
		if !it.used || it.state != itemOpen {
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

// keptReply is a key with its fingerprint and reply, as keepOutcomesSQL inserts it.
type keptReply struct {
	Scope       string `json:"scope"`
	Key         string `json:"key"`
	Fingerprint []byte `json:"fingerprint"`
	Status      int    `json:"status"`
	Body        []byte `json:"body"`
}

// scopedKey is a key as keepOutcomesSQL returns it.
type scopedKey struct {
	Scope string `db:"scope"`
	Key   string `db:"key"`
}

// keepOutcomes writes the audit rows of the operations that applied and inserts the key, with its
// reply, of every keyed operation that applied or was refused, in one statement. A key that is
// already there (the unique index makes a concurrent insert of it wait for its transaction) marks
// its operation used and rolls the batch back with errKeysUsed.
func keepOutcomes(ctx context.Context, tx *sqlx.Tx, batch []*batchItem) error {
	var replies []keptReply
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
		replies = append(replies, keptReply{it.once.Scope, it.once.Key, it.once.Fingerprint, reply.Status, reply.Body})
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
	var inserted []scopedKey
	if err := tx.SelectContext(ctx, &inserted, keepOutcomesSQL, auditParam, replyParam); err != nil {
		return fmt.Errorf("store: unable to record replies and audit: %w", err)
	}
	if len(inserted) == len(replies) {
		return nil
	}
	fresh := make(map[scopedKey]bool, len(inserted))
	for _, k := range inserted {
		fresh[k] = true
	}
	for _, it := range batch {
		if it.once != nil && (it.state == itemApplied || it.state == itemRefused) && !fresh[scopedKey{it.once.Scope, it.once.Key}] {
			it.used = true
		}
	}
	return errKeysUsed
}

// keepOutcomesSQL appends the audit rows ($1) in their order and inserts the keys with their
// replies ($2) in key order, both JSON arrays, returning the keys it inserted.
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
	INSERT INTO idempotency_keys (scope, key, fingerprint, status, body)
	SELECT k.scope, k.key, decode(k.fingerprint, 'base64'), k.status, decode(k.body, 'base64')
	FROM jsonb_to_recordset($2::jsonb) AS k(scope text, key text, fingerprint text, status integer, body text)
	ORDER BY k.scope, k.key
	ON CONFLICT DO NOTHING
	RETURNING scope, key`
