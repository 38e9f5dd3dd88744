package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// errRowByRow sends a chunk back to the row-by-row path: applied at once, some row would not have
// had the outcome it has on its own (a duplicate, a card already taken, a refused payment...).
var errRowByRow = errors.New("store: the chunk is applied row by row")

// chunkApplier applies every row of a chunk at once, in a few statements, or answers errRowByRow.
type chunkApplier func(ctx context.Context, tx *sqlx.Tx, b workingBatch, idx map[string]int, rows []bulkRow) (chunkCounts, error)

// chunkAppliers are the kinds whose chunks can be applied at once.
var chunkAppliers = map[BulkKind]chunkApplier{BulkCardholders: applyCardholderChunk, BulkPayout: applyPayoutChunk}

// applyChunkAtOnce tries to apply the chunk's rows together, behind a savepoint: when every row
// would succeed (or fail on a check of its own fields, as it would alone), their effects are written
// in a few set-based statements, the same rows, audit entries and outcomes as row by row. Otherwise
// (errRowByRow, or data the database refuses) nothing of it stays, and done is false: the caller
// applies the rows one by one, each with its own outcome.
func applyChunkAtOnce(ctx context.Context, tx *sqlx.Tx, b workingBatch, idx map[string]int, rows []bulkRow) (c chunkCounts, done bool, err error) {
	apply, ok := chunkAppliers[b.Kind]
	if !ok || len(rows) < 2 {
		return c, false, nil
	}
	if _, err := tx.ExecContext(ctx, `SAVEPOINT bulk_chunk`); err != nil {
		return c, false, fmt.Errorf("store: unable to set savepoint: %w", err)
	}
	c, err = apply(ctx, tx, b, idx, rows)
	if errors.Is(err, errRowByRow) || refusedData(err) {
		if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT bulk_chunk`); err != nil {
			return chunkCounts{}, false, fmt.Errorf("store: unable to roll back chunk: %w", err)
		}
		return chunkCounts{}, false, nil
	}
	if err != nil {
		return chunkCounts{}, false, err
	}
	if _, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT bulk_chunk`); err != nil {
		return chunkCounts{}, false, fmt.Errorf("store: unable to release savepoint: %w", err)
	}
	return c, true, nil
}

// rowOutcomes are the outcomes of a chunk's rows, written together.
type rowOutcomes struct {
	done            []int64 // seq of the rows applied
	failed          []int64 // seq of the rows refused, with their code and message
	codes, messages []string
	audits          []auditRecord
	actor           Actor
	auditErr        error
}

// fail records a row's refusal.
func (o *rowOutcomes) fail(row bulkRow, e *Error) {
	o.failed, o.codes, o.messages = append(o.failed, int64(row.Seq)), append(o.codes, string(e.Code)), append(o.messages, rowMessage(e))
}

// audit adds an audit entry by the outcomes' actor.
func (o *rowOutcomes) audit(ev Event) {
	rec, err := newAuditRecord(o.actor, ev)
	if err != nil {
		o.auditErr = err
		return
	}
	o.audits = append(o.audits, rec)
}

// write writes the audit entries in their order (COPY) and the rows' outcomes.
func (o *rowOutcomes) write(ctx context.Context, tx *sqlx.Tx, batchID int64) (chunkCounts, error) {
	if o.auditErr != nil {
		return chunkCounts{}, o.auditErr
	}
	if err := copyAuditRecords(ctx, tx, o.audits); err != nil {
		return chunkCounts{}, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE bulk_rows SET status = 'DONE' WHERE batch_id = $1 AND seq = ANY($2::int[])`,
		batchID, pq.Array(o.done)); err != nil {
		return chunkCounts{}, fmt.Errorf("store: unable to record rows: %w", err)
	}
	if len(o.failed) > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE bulk_rows r SET status = 'FAILED', code = f.code, error = f.error
			FROM unnest($2::int[], $3::text[], $4::text[]) AS f(seq, code, error) WHERE r.batch_id = $1 AND r.seq = f.seq`,
			batchID, pq.Array(o.failed), pq.Array(o.codes), pq.Array(o.messages)); err != nil {
			return chunkCounts{}, fmt.Errorf("store: unable to record rows: %w", err)
		}
	}
	return chunkCounts{succeeded: len(o.done), failed: len(o.failed)}, nil
}

// copyAuditRecords appends audit entries, in their order, with COPY.
func copyAuditRecords(ctx context.Context, tx *sqlx.Tx, records []auditRecord) error {
	text := func(b []byte) any {
		if len(b) == 0 {
			return nil
		}
		return string(b)
	}
	rows := make([][]any, len(records))
	for i, r := range records {
		rows[i] = []any{r.ActorType, r.ActorID, r.ActorLabel, r.PartnerID, r.Action, r.ObjectType, r.ObjectID,
			text(r.Before), text(r.After), r.RequestID, r.IP}
	}
	return copyRows(ctx, tx, "audit_log", []string{"actor_type", "actor_id", "actor_label", "partner_id", "action", "object_type",
		"object_id", "before", "after", "request_id", "ip"}, rows)
}
