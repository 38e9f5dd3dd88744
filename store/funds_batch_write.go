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

// keptReply is a key with its fingerprint and reply, as writeBatchSQL inserts it.
type keptReply struct {
	Scope       string `json:"scope"`
	Key         string `json:"key"`
	Fingerprint []byte `json:"fingerprint"`
	Status      int    `json:"status"`
	Body        []byte `json:"body"`
}

// scopedKey is a key as writeBatchSQL returns it.
type scopedKey struct {
	Scope string `db:"scope"`
	Key   string `db:"key"`
}

// writeBatch writes, in one statement, the new balances, the movements, the audit rows of the
// operations that applied, and the key with its reply of every keyed operation that applied or was
// refused. A balance is set only where it still is the balance the batch locked, and the batch
// fails unless every one was: the lock makes that certain, the statement checks it. A key that is
// already there (the unique index makes a concurrent insert of it wait for its transaction) marks
// its operation used and rolls the batch back with errKeysUsed.
func writeBatch(ctx context.Context, tx *sqlx.Tx, batch []*batchItem, balances []balanceRecord) error {
	var movements []Movement
	var replies []keptReply
	var audits []auditRecord
	for _, it := range batch {
		if it.state == itemApplied {
			movements = append(movements, it.result.movements...)
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
	balanceParam, errB := jsonParam(balances)
	movementParam, errM := jsonParam(movements)
	auditParam, errA := jsonParam(audits)
	replyParam, errR := jsonParam(replies)
	if err := errors.Join(errB, errM, errA, errR); err != nil {
		return err
	}
	var rows []struct {
		scopedKey
		Balances int `db:"balances"`
	}
	if err := tx.SelectContext(ctx, &rows, writeBatchSQL, balanceParam, movementParam, auditParam, replyParam); err != nil {
		return fmt.Errorf("store: unable to write the batch: %w", err)
	}
	fresh := make(map[scopedKey]bool, len(rows))
	for _, r := range rows {
		if r.Scope == "" {
			if r.Balances != len(balances) {
				return errors.New("store: a balance changed under the batch's lock")
			}
			continue
		}
		fresh[r.scopedKey] = true
	}
	if len(fresh) == len(replies) {
		return nil
	}
	for _, it := range batch {
		if it.once != nil && (it.state == itemApplied || it.state == itemRefused) && !fresh[scopedKey{it.once.Scope, it.once.Key}] {
			it.used = true
		}
	}
	return errKeysUsed
}

// writeBatchSQL sets the balances ($1), each only where it still is the balance the batch locked,
// inserts the movements ($2, as Movement encodes them) and appends the audit rows ($3) in their
// order, then inserts the keys with their replies ($4) in key order. It returns the keys it inserted
// and one row without a scope that counts the balances it set. Every parameter is a JSON array.
const writeBatchSQL = `
	WITH balances AS (
	    UPDATE accounts a SET balance = b.balance, updated_at = now()
	    FROM jsonb_to_recordset($1::jsonb) AS b(id bigint, before numeric, balance numeric)
	    WHERE a.id = b.id AND a.balance = b.before
	    RETURNING a.id
	), movements AS (
	    INSERT INTO movements (id, entry_id, account_id, partner_id, card_id, type, direction, amount, currency,
	                           balance_after, counterpart_account_id, counterpart_card_id, channel, reference,
	                           description, custom_keys, actor_type, actor_id, actor_label, created_at)
	    SELECT m.id, m."entryId", m."accountId", m."partnerId", m."cardId", m.type, m.direction, m.amount, m.currency,
	           m."balanceAfter", m."counterpartAccountId", m."counterpartCardId", m.channel, m.reference,
	           m.description, m."customKeys", m."actorType", m."actorId", m."actorLabel", m."createdAt"
	    FROM jsonb_to_recordset($2::jsonb) AS m(id bigint, "entryId" uuid, "accountId" bigint, "partnerId" bigint,
	         "cardId" bigint, type text, direction text, amount numeric, currency text, "balanceAfter" numeric,
	         "counterpartAccountId" bigint, "counterpartCardId" bigint, channel text, reference text,
	         description text, "customKeys" jsonb, "actorType" text, "actorId" bigint, "actorLabel" text,
	         "createdAt" timestamptz)
	), audit AS (
	    INSERT INTO audit_log (actor_type, actor_id, actor_label, partner_id, action, object_type, object_id,
	                           before, after, request_id, ip)
	    SELECT actor_type, actor_id, actor_label, partner_id, action, object_type, object_id, before, after, request_id, ip
	    FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS e(rec, seq),
	         jsonb_to_record(e.rec) AS a(actor_type text, actor_id bigint, actor_label text, partner_id bigint,
	                                     action text, object_type text, object_id text, before jsonb, after jsonb,
	                                     request_id text, ip text)
	    ORDER BY e.seq
	), keys AS (
	    INSERT INTO idempotency_keys (scope, key, fingerprint, status, body)
	    SELECT k.scope, k.key, decode(k.fingerprint, 'base64'), k.status, decode(k.body, 'base64')
	    FROM jsonb_to_recordset($4::jsonb) AS k(scope text, key text, fingerprint text, status integer, body text)
	    ORDER BY k.scope, k.key
	    ON CONFLICT DO NOTHING
	    RETURNING scope, key)
	SELECT scope, key, 0 AS balances FROM keys
	UNION ALL
	SELECT '', '', count(*) FROM balances`
