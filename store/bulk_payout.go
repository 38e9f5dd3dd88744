package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// PayoutDecision is a checker's or the uploader's decision on a payout file.
type PayoutDecision struct {
	Action string // "approve", "reject" or "cancel"
	// StopOnInsufficient (approve) stops the rows left when the balance runs out; otherwise they
	// go on and each is refused on its own (7303) until one fits.
	StopOnInsufficient bool
	Reason             string // reject: required
}

// MaxReason bounds a rejection's reason, in characters.
const MaxReason = 500

// DecidePayout approves, rejects or cancels a payout file waiting for approval, in one transaction
// with a conditional UPDATE, so it is decided once. The uploader may only cancel; anyone else with
// the permission (checked by the route) may only approve or reject. An approval queues the job
// that applies the rows.
func (s *Store) DecidePayout(ctx context.Context, actor Actor, partnerID, batchID int64, d PayoutDecision) (BulkBatch, error) {
	d.Reason = strings.TrimSpace(d.Reason)
	if d.Action == "reject" {
		var v Validation
		switch n := utf8.RuneCountInString(d.Reason); {
		case n == 0:
			v.Add("reason", "a reason is required to reject a payout file")
		case n > MaxReason:
			v.Add("reason", fmt.Sprintf("reason must have at most %d characters", MaxReason))
		}
		if err := v.Err(); err != nil {
			return BulkBatch{}, err
		}
	}
	next := map[string]string{"approve": BatchRunning, "reject": BatchRejected, "cancel": BatchCancelled}[d.Action]
	if next == "" {
		return BulkBatch{}, fmt.Errorf("store: unknown payout decision %q", d.Action)
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var cur struct {
			Status    string `db:"status"`
			CreatedBy int64  `db:"created_by"`
		}
		err := tx.GetContext(ctx, &cur, `SELECT status, created_by FROM bulk_batches WHERE id = $1 AND partner_id = $2 AND kind = 'PAYOUT'
			FOR UPDATE`, batchID, partnerID)
		if errors.Is(err, sql.ErrNoRows) {
			return NotFound("payout batch")
		}
		if err != nil {
			return fmt.Errorf("store: unable to read batch: %w", err)
		}
		mine := cur.CreatedBy == actor.OperatorID
		switch {
		case d.Action == "cancel" && !mine:
			return NewError(CodeForbidden, "only the operator who uploaded a payout file can cancel it")
		case d.Action != "cancel" && mine:
			return NewError(CodeForbidden, "you uploaded this payout file: another operator must approve or reject it")
		case cur.Status != BatchPendingApproval:
			return Conflict(fmt.Sprintf("the payout file is %s; only a file PENDING_APPROVAL can be decided", cur.Status))
		}
		onShort := sql.NullString{}
		if d.Action == "approve" {
			onShort = sql.NullString{String: "CONTINUE", Valid: true}
			if d.StopOnInsufficient {
				onShort.String = "STOP"
			}
		}
		finished := next != BatchRunning
		if _, err := tx.ExecContext(ctx, `UPDATE bulk_batches SET status = $2, decided_by = $3, decided_at = now(),
			reason = NULLIF($4, ''), on_insufficient = $5, updated_at = now(),
			finished_at = CASE WHEN $6 THEN now() END WHERE id = $1`,
			batchID, next, actor.OperatorID, d.Reason, onShort, finished); err != nil {
			return fmt.Errorf("store: unable to decide batch: %w", err)
		}
		if d.Action == "approve" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO bulk_jobs (batch_id) VALUES ($1) ON CONFLICT DO NOTHING`, batchID); err != nil {
				return fmt.Errorf("store: unable to queue batch: %w", err)
			}
		}
		if err := publishBatch(ctx, tx, batchID); err != nil {
			return err
		}
		return writeAudit(ctx, tx, actor, Event{PartnerID: partnerID, Action: "bulk." + d.Action, ObjectType: "bulk_batch", ObjectID: batchID,
			Before: map[string]any{"status": cur.Status},
			After:  map[string]any{"status": next, "reason": d.Reason, "onInsufficient": onShort.String}})
	})
	if err != nil {
		return BulkBatch{}, err
	}
	if d.Action == "approve" {
		s.wakeBulkWorker()
	}
	return s.BulkBatch(ctx, partnerID, batchID)
}

// BulkRow is a row of a batch as uploaded, with its outcome.
type BulkRow struct {
	Seq    int      `db:"seq" json:"seq"`
	Line   int      `db:"line" json:"line"`
	Cells  []string `db:"-" json:"cells"`
	Status string   `db:"status" json:"status"`
	Code   *string  `db:"code" json:"code"`
	Error  *string  `db:"error" json:"error"`
}

// BatchHeader returns the header of a batch's file as uploaded.
func (s *Store) BatchHeader(ctx context.Context, partnerID, batchID int64) ([]string, error) {
	var h []string
	var raw pq.StringArray
	err := s.db.GetContext(ctx, &raw, `SELECT header FROM bulk_batches WHERE id = $1 AND partner_id = $2`, batchID, partnerID)
	if err != nil {
		return nil, notFoundIf(err, "batch")
	}
	h = raw
	return h, nil
}

// EachBatchRow calls fn for the batch's rows in file order, only the failed ones when failedOnly,
// reading them a page at a time so an error file of 100,000 rows is never held whole.
func (s *Store) EachBatchRow(ctx context.Context, partnerID, batchID int64, failedOnly bool, fn func(BulkRow) error) error {
	if _, err := s.BatchHeader(ctx, partnerID, batchID); err != nil {
		return err
	}
	after := 0
	for {
		var rows []struct {
			BulkRow
			Raw pq.StringArray `db:"cells"`
		}
		err := s.db.SelectContext(ctx, &rows, `SELECT seq, line, cells, status, code, error FROM bulk_rows
			WHERE batch_id = $1 AND seq > $2 AND (NOT $3 OR status = 'FAILED') ORDER BY seq LIMIT 1000`, batchID, after, failedOnly)
		if err != nil {
			return fmt.Errorf("store: unable to read rows: %w", err)
		}
		for _, r := range rows {
			r.BulkRow.Cells = r.Raw
			if err := fn(r.BulkRow); err != nil {
				return err
			}
			after = r.Seq
		}
		if len(rows) < 1000 {
			return nil
		}
	}
}
