package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"cardconsole/store/sheet"
)

// BulkChunkRows bounds the rows one chunk applies, and bulkChunkTime how long it may take, so that
// a running batch publishes its progress about twice a second. UseBulkChunkRows changes the bound
// of one store (tests lower it to stop a job between chunks).
const BulkChunkRows = 1000

// UseBulkChunkRows sets how many rows one chunk of a bulk job applies; call it once after Open,
// before serving. Zero keeps BulkChunkRows.
func (s *Store) UseBulkChunkRows(n int) { s.bulkChunkRows = n }

// chunkRows is the bound of this store's chunks.
func (s *Store) chunkRows() int {
	if s.bulkChunkRows > 0 {
		return s.bulkChunkRows
	}
	return BulkChunkRows
}

const (
	bulkChunkTime = 500 * time.Millisecond
	bulkReadChunk = 5000 // rows copied from the file per transaction (one COPY)
)

// WorkBulkJob claims one waiting job, if any, and works on it until its batch needs nothing more
// (read, applied, or waiting for approval). The job's row stays locked by a transaction held while
// it works: if the process dies, the lock goes with the connection and another worker resumes from
// the last committed chunk. maxChunks > 0 stops after that many chunks with the job left to resume,
// as a process that stopped would. found says whether a job was claimed.
func (s *Store) WorkBulkJob(ctx context.Context, maxChunks int) (found bool, err error) {
	claim, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("store: unable to begin claim: %w", err)
	}
	defer claim.Rollback() //nolint:errcheck // a committed claim makes this a no-op
	var id int64
	err = claim.GetContext(ctx, &id, `SELECT batch_id FROM bulk_jobs ORDER BY created_at, batch_id LIMIT 1 FOR UPDATE SKIP LOCKED`)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: unable to claim a bulk job: %w", err)
	}
	done, err := s.workBatch(ctx, id, maxChunks)
	if err != nil || !done {
		return true, err
	}
	if _, err := claim.ExecContext(ctx, `DELETE FROM bulk_jobs WHERE batch_id = $1`, id); err != nil {
		return true, fmt.Errorf("store: unable to finish bulk job: %w", err)
	}
	if err := claim.Commit(); err != nil {
		return true, fmt.Errorf("store: unable to finish bulk job: %w", err)
	}
	return true, nil
}

// RunBulkWorker works on bulk jobs until ctx ends, looking for new ones every poll, and at once when
// this instance queues one. Every instance runs one; they share the jobs through the jobs table.
func (s *Store) RunBulkWorker(ctx context.Context, log *slog.Logger, poll time.Duration) {
	for ctx.Err() == nil {
		found, err := s.WorkBulkJob(ctx, 0)
		if err != nil && ctx.Err() == nil {
			log.Error("bulk job failed; it will be retried", "err", err)
		}
		if found && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
		case <-s.bulkWake:
		case <-time.After(poll):
		}
	}
}

// wakeBulkWorker tells this instance's worker that a job was queued, once its transaction committed.
func (s *Store) wakeBulkWorker() {
	select {
	case s.bulkWake <- struct{}{}:
	default: // already told
	}
}

// workingBatch is what the worker reads of a batch before each step.
type workingBatch struct {
	ID             int64          `db:"id"`
	PartnerID      int64          `db:"partner_id"`
	Kind           BulkKind       `db:"kind"`
	Status         string         `db:"status"`
	BlobKey        string         `db:"blob_key"`
	Format         string         `db:"format"`
	Header         pq.StringArray `db:"header"`
	Total          int            `db:"total"`
	ReadRows       int            `db:"read_rows"`
	Currency       sql.NullString `db:"currency"`
	OnInsufficient sql.NullString `db:"on_insufficient"`
	ActorID        int64          `db:"actor_id"`
	ActorLabel     string         `db:"actor_label"`
}

// actor is who the batch's effects are audited as: the uploader, or for a payout the approver.
func (b workingBatch) actor() Actor {
	return Actor{Type: ActorOperator, OperatorID: b.ActorID, Label: b.ActorLabel, RequestID: fmt.Sprintf("bulk-%d", b.ID)}
}

func (s *Store) readWorkingBatch(ctx context.Context, id int64) (workingBatch, error) {
	var b workingBatch
	err := s.db.GetContext(ctx, &b, `
		SELECT b.id, b.partner_id, b.kind, b.status, b.blob_key, b.format, b.header, b.total, b.read_rows, b.currency,
		       b.on_insufficient, o.id AS actor_id, o.email AS actor_label
		FROM bulk_batches b JOIN operators o ON o.id = CASE WHEN b.kind = 'PAYOUT' AND b.decided_by IS NOT NULL
		                                                    THEN b.decided_by ELSE b.created_by END
		WHERE b.id = $1`, id)
	if err != nil {
		return b, fmt.Errorf("store: unable to read batch %d: %w", id, err)
	}
	return b, nil
}

// workBatch takes a batch through its steps, a chunk per transaction; done says it needs no more
// work from this job.
func (s *Store) workBatch(ctx context.Context, id int64, maxChunks int) (done bool, err error) {
	chunks := 0
	budget := func() bool { chunks++; return maxChunks > 0 && chunks >= maxChunks }
	for {
		b, err := s.readWorkingBatch(ctx, id)
		if err != nil {
			return false, err
		}
		switch b.Status {
		case BatchQueued:
			stopped, err := s.readBatchRows(ctx, b, budget)
			if err != nil || stopped {
				return false, err
			}
		case BatchRunning:
			more, err := s.applyChunk(ctx, b)
			if err != nil {
				return false, err
			}
			if !more {
				return true, s.completeBatch(ctx, b)
			}
			if budget() {
				return false, nil
			}
		default: // waiting for approval, or final
			return true, nil
		}
	}
}

// readBatchRows copies the rows of the batch's file into bulk_rows, a chunk per transaction, from
// where an earlier run stopped; then the batch waits for approval (a payout) or runs. A payout's
// rows are checked as they are read (amount, reference, card), so the checker sees the total.
// stopped is true when budget ran out first.
func (s *Store) readBatchRows(ctx context.Context, b workingBatch, budget func() bool) (stopped bool, err error) {
	path, err := s.spoolBlob(ctx, b.BlobKey)
	if err != nil {
		return false, err
	}
	defer os.Remove(path)
	r, err := sheet.Open(path, sheet.Format(b.Format))
	if err != nil {
		return false, fmt.Errorf("store: stored file of batch %d cannot be read: %w", b.ID, err)
	}
	defer r.Close()
	idx, err := columnIndex(b.Kind, b.Header)
	if err != nil {
		return false, err
	}
	seq, header := 0, false
	var chunk []bulkRow
	flush := func() error {
		err := s.inTx(ctx, func(tx *sqlx.Tx) error { return s.writeReadRows(ctx, tx, b, idx, chunk) })
		chunk = chunk[:0]
		return err
	}
	for {
		cells, line, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return false, fmt.Errorf("store: stored file of batch %d cannot be read: %w", b.ID, err)
		}
		if sheet.Blank(cells) {
			continue
		}
		if !header {
			header = true
			continue
		}
		if seq++; seq <= b.ReadRows {
			continue
		}
		chunk = append(chunk, bulkRow{Seq: seq, Line: line, Cells: cells})
		if len(chunk) == bulkReadChunk {
			if err := flush(); err != nil {
				return false, err
			}
			if budget() {
				return true, nil
			}
		}
	}
	if err := flush(); err != nil {
		return false, err
	}
	return false, nil
}

// bulkRow is a row of a batch as the worker handles it.
type bulkRow struct {
	Seq    int                 `db:"seq"`
	Line   int                 `db:"line"`
	Cells  pq.StringArray      `db:"cells"`
	CardID sql.NullInt64       `db:"card_id"`
	Amount decimal.NullDecimal `db:"amount"`
	// set while reading: a row refused before it is applied
	failure *Error
}

// writeReadRows copies a chunk of read rows into bulk_rows and moves the batch on when it was the
// last one. A payout's payable total grows by the amounts of the chunk's rows that passed their checks.
func (s *Store) writeReadRows(ctx context.Context, tx *sqlx.Tx, b workingBatch, idx map[string]int, rows []bulkRow) error {
	var cur workingBatch
	if err := tx.GetContext(ctx, &cur, `SELECT id, status, read_rows FROM bulk_batches WHERE id = $1 FOR UPDATE`, b.ID); err != nil {
		return fmt.Errorf("store: unable to lock batch: %w", err)
	}
	if cur.Status != BatchQueued || (len(rows) > 0 && cur.ReadRows >= rows[0].Seq) {
		return nil // another run got here first
	}
	failed, payable := 0, decimal.Zero
	for i := range rows {
		if b.Kind == BulkPayout {
			checkPayoutRow(ctx, tx, b, idx, &rows[i])
		}
		if rows[i].failure != nil {
			failed++
		} else if rows[i].Amount.Valid {
			payable = payable.Add(rows[i].Amount.Decimal)
		}
	}
	if err := copyBulkRows(ctx, tx, b.ID, rows); err != nil {
		return err
	}
	readRows := cur.ReadRows + len(rows)
	next := BatchQueued
	if readRows >= b.Total {
		next = BatchRunning
		if b.Kind == BulkPayout {
			next = BatchPendingApproval
		}
	}
	_, err := tx.ExecContext(ctx, `UPDATE bulk_batches SET read_rows = $2, processed = processed + $3, failed = failed + $3,
		status = $4, updated_at = now(), amount_total = amount_total + $5 WHERE id = $1`, b.ID, readRows, failed, next, payable)
	if err != nil {
		return fmt.Errorf("store: unable to update batch: %w", err)
	}
	return publishBatch(ctx, tx, b.ID)
}

// copyBulkRows writes read rows into bulk_rows with COPY, in one round trip for the chunk: PENDING,
// or FAILED with the refusal found while reading.
func copyBulkRows(ctx context.Context, tx *sqlx.Tx, batchID int64, rows []bulkRow) error {
	values := make([][]any, len(rows))
	for i, r := range rows {
		status, code, msg := "PENDING", sql.NullString{}, sql.NullString{}
		if f := r.failure; f != nil {
			status = "FAILED"
			code, msg = sql.NullString{String: string(f.Code), Valid: true}, sql.NullString{String: rowMessage(f), Valid: true}
		}
		values[i] = []any{batchID, r.Seq, r.Line, r.Cells, status, code, msg, r.CardID, r.Amount}
	}
	return copyRows(ctx, tx, "bulk_rows", []string{"batch_id", "seq", "line", "cells", "status", "code", "error", "card_id", "amount"}, values)
}

// spoolBlob copies a stored file to a temporary file, which the XLSX reader needs.
func (s *Store) spoolBlob(ctx context.Context, key string) (string, error) {
	_, rc, err := s.Blobs().Open(ctx, key)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	f, err := os.CreateTemp("", "cardconsole-bulk-*")
	if err != nil {
		return "", fmt.Errorf("store: unable to spool file: %w", err)
	}
	defer f.Close()
	if _, err := io.Copy(f, rc); err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("store: unable to spool file: %w", err)
	}
	return f.Name(), nil
}

// applyChunk applies the next pending rows in one transaction, together when they can be
// (applyChunkAtOnce), otherwise each behind a savepoint so that a refused row leaves nothing and the
// others go on, and adds their outcomes to the batch's counts in the same transaction. more is false
// when no row was pending.
func (s *Store) applyChunk(ctx context.Context, b workingBatch) (more bool, err error) {
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		var status string
		if err := tx.GetContext(ctx, &status, `SELECT status FROM bulk_batches WHERE id = $1 FOR UPDATE`, b.ID); err != nil {
			return fmt.Errorf("store: unable to lock batch: %w", err)
		}
		if status != BatchRunning {
			more = false
			return nil
		}
		var rows []bulkRow
		if err := tx.SelectContext(ctx, &rows, `SELECT seq, line, cells, card_id, amount FROM bulk_rows
			WHERE batch_id = $1 AND status = 'PENDING' ORDER BY seq LIMIT $2`, b.ID, s.chunkRows()); err != nil {
			return fmt.Errorf("store: unable to read rows: %w", err)
		}
		more = len(rows) > 0
		idx, err := columnIndex(b.Kind, b.Header)
		if err != nil {
			return err
		}
		c, done, err := applyChunkAtOnce(ctx, tx, b, idx, rows)
		if err != nil {
			return err
		}
		if !done {
			if err := s.applyRowByRow(ctx, tx, b, idx, rows, &c); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE bulk_batches SET processed = processed + $2, succeeded = succeeded + $3,
			failed = failed + $4, credited = credited + $5, updated_at = now() WHERE id = $1`,
			b.ID, c.succeeded+c.failed, c.succeeded, c.failed, c.credited)
		if err != nil {
			return fmt.Errorf("store: unable to update batch: %w", err)
		}
		return publishBatch(ctx, tx, b.ID)
	})
	return more, err
}

// applyRowByRow applies the rows one after the other, each with its own outcome, for at most
// bulkChunkTime; a payout that stops on a short balance fails the rows left.
func (s *Store) applyRowByRow(ctx context.Context, tx *sqlx.Tx, b workingBatch, idx map[string]int, rows []bulkRow, c *chunkCounts) error {
	started := time.Now()
	for _, row := range rows {
		if time.Since(started) > bulkChunkTime {
			return nil
		}
		stop, err := s.applyRow(ctx, tx, b, idx, row, c)
		if err != nil {
			return err
		}
		if stop {
			return stopPayout(ctx, tx, b.ID, row, c)
		}
	}
	return nil
}

// completeBatch marks a batch whose rows all have their outcome.
func (s *Store) completeBatch(ctx context.Context, b workingBatch) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var c struct {
			Succeeded int                 `db:"succeeded"`
			Failed    int                 `db:"failed"`
			Credited  decimal.NullDecimal `db:"credited"`
		}
		err := tx.GetContext(ctx, &c, `UPDATE bulk_batches SET status = 'COMPLETED', finished_at = now(), updated_at = now()
			WHERE id = $1 AND status = 'RUNNING' RETURNING succeeded, failed, credited`, b.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("store: unable to complete batch: %w", err)
		}
		if err := publishBatch(ctx, tx, b.ID); err != nil {
			return err
		}
		return writeAudit(ctx, tx, b.actor(), Event{PartnerID: b.PartnerID, Action: "bulk.complete", ObjectType: "bulk_batch",
			ObjectID: b.ID, After: map[string]any{"succeeded": c.Succeeded, "failed": c.Failed, "credited": c.Credited.Decimal}})
	})
}
