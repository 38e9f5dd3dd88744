package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/jmoiron/sqlx"
)

// Once makes an operation apply at most once: Key is unique within Scope (an application's references,
// an operator's Idempotency-Keys) and Fingerprint identifies the request the key was first used with.
type Once struct {
	Scope       string
	Key         string
	Fingerprint []byte
}

// ApplicationScope is the scope of an issuer application's references.
func ApplicationScope(appID int64) string { return "application:" + strconv.FormatInt(appID, 10) }

// OperatorScope is the scope of an operator's Idempotency-Keys, whatever partner or route they use.
func OperatorScope(operatorID int64) string { return "operator:" + strconv.FormatInt(operatorID, 10) }

// MaxKeyLength is the longest idempotency key or reference accepted.
const MaxKeyLength = 255

// ValidKey reports whether a key is 1 to MaxKeyLength printable characters.
func ValidKey(key string) bool {
	if key == "" || len(key) > MaxKeyLength {
		return false
	}
	for _, r := range key {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// Reply is a response as it was first sent, kept so that a replay sends the same status and bytes.
type Reply struct {
	Status int
	Body   []byte
}

// Replier turns an operation's outcome into the reply to keep: its movements when it applied, or the
// business error that refused it. It runs inside the transaction, so it must not do I/O.
type Replier func(movements []Movement, refusal *Error) (Reply, error)

// ApplyOnce runs op unless its key was used before. The operation joins a batch of the funds queue
// (funds_queue.go), whose transaction inserts the key with the reply, in the statement that writes
// the audit rows, after the movements. A key found there already (an earlier request, or a
// concurrent one whose transaction the unique index makes this one wait for) rolls the batch back,
// and the batch runs again answering it with the kept reply; so money moves at most once per key,
// and the reply is committed with the movements it describes. A refused operation keeps its reply
// and writes nothing else. An operation whose own fields are invalid is refused before. Replayed is
// true when the reply is the one stored earlier; a key reused with another fingerprint is 7006.
func (s *Store) ApplyOnce(ctx context.Context, actor Actor, once Once, op Operation, reply Replier) (out Reply, replayed bool, err error) {
	if once.Scope == "" || !ValidKey(once.Key) || len(once.Fingerprint) == 0 {
		return Reply{}, false, NewError(CodeCheckParameters, "the idempotency key must be 1 to 255 printable characters")
	}
	if err := op.check(); err != nil {
		if e, ok := AsError(err); ok {
			return s.keepRefusal(ctx, once, e, reply)
		}
		return Reply{}, false, err
	}
	r := s.submit(&batchItem{ctx: ctx, actor: actor, op: op, once: &once, reply: reply})
	return r.reply, r.replayed, r.err
}

// keepRefusal stores the reply of a refused operation, unless a concurrent duplicate stored its
// outcome first, in which case that one is the key's reply.
func (s *Store) keepRefusal(ctx context.Context, once Once, refusal *Error, reply Replier) (out Reply, replayed bool, err error) {
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		replayed = false
		var err error
		if out, err = reply(nil, refusal); err != nil {
			return err
		}
		var fresh bool
		err = tx.GetContext(ctx, &fresh, `INSERT INTO idempotency_keys (scope, key, fingerprint, status, body)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING true`,
			once.Scope, once.Key, once.Fingerprint, out.Status, out.Body)
		if errors.Is(err, sql.ErrNoRows) {
			replayed = true
			out, err = storedReply(ctx, tx, once)
			return err
		}
		if err != nil {
			return fmt.Errorf("store: unable to record refusal: %w", err)
		}
		return nil
	})
	return out, replayed, err
}

// storedReply reads the reply kept under the key; another fingerprint is 7006.
func storedReply(ctx context.Context, q sqlx.QueryerContext, once Once) (Reply, error) {
	var row struct {
		Fingerprint []byte `db:"fingerprint"`
		Status      int    `db:"status"`
		Body        []byte `db:"body"`
	}
	err := sqlx.GetContext(ctx, q, &row, `SELECT fingerprint, status, body FROM idempotency_keys WHERE scope = $1 AND key = $2`,
		once.Scope, once.Key)
	if err != nil {
		return Reply{}, fmt.Errorf("store: unable to read idempotency key: %w", err)
	}
	if !bytes.Equal(row.Fingerprint, once.Fingerprint) {
		return Reply{}, NewError(CodeExternalIDExists, "this key was already used for a different request")
	}
	return Reply{Status: row.Status, Body: row.Body}, nil
}

// StoredReply returns the reply kept under the key, if the key was used: a route that spends a
// one-time code looks first, so that a retry of an applied request is answered without a new code.
func (s *Store) StoredReply(ctx context.Context, once Once) (Reply, bool, error) {
	if once.Scope == "" || !ValidKey(once.Key) {
		return Reply{}, false, nil
	}
	r, err := storedReply(ctx, s.db, once)
	if errors.Is(err, sql.ErrNoRows) {
		return Reply{}, false, nil
	}
	if err != nil {
		return Reply{}, false, err
	}
	return r, true, nil
}
