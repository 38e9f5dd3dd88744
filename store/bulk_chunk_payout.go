package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"
)

// applyPayoutChunk pays a chunk's rows at once: their references claimed in one INSERT, then the
// loads applied as one batch of funds operations (applyBatchTx: the cards and accounts locked in
// one statement, the balances computed in order, the balances, movements and audit entries written
// in one more). Unless every reference is fresh and every load applies, the chunk goes back row by
// row (errRowByRow), where a replayed reference, a short balance (and the approver's choice to stop
// or go on) or a card that cannot be loaded is each row's own outcome.
func applyPayoutChunk(ctx context.Context, tx *sqlx.Tx, b workingBatch, idx map[string]int, rows []bulkRow) (chunkCounts, error) {
	refs, seqs := make([]string, len(rows)), make([]int64, len(rows))
	seen := make(map[string]bool, len(rows))
	items := make([]*batchItem, len(rows))
	for i, row := range rows {
		refs[i], seqs[i] = cell(row.Cells, idx, "reference"), int64(row.Seq)
		if seen[refs[i]] || !row.CardID.Valid || !row.Amount.Valid {
			return chunkCounts{}, errRowByRow
		}
		seen[refs[i]] = true
		items[i] = &batchItem{actor: b.actor(), op: payoutOperation(b, idx, row)}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO payout_references (partner_id, reference, batch_id, seq)
		SELECT $1, ref, $2, seq FROM unnest($3::text[], $4::int[]) AS u(ref, seq) ON CONFLICT DO NOTHING`,
		b.PartnerID, b.ID, pq.Array(refs), pq.Array(seqs))
	if err != nil {
		return chunkCounts{}, fmt.Errorf("store: unable to claim references: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != int64(len(rows)) {
		return chunkCounts{}, errRowByRow
	}
	if err := applyBatchTx(ctx, tx, items); err != nil {
		return chunkCounts{}, err
	}
	out := rowOutcomes{actor: b.actor()}
	credited := decimal.Zero
	for i, it := range items {
		if it.state != itemApplied {
			return chunkCounts{}, errRowByRow
		}
		out.done = append(out.done, seqs[i])
		credited = credited.Add(rows[i].Amount.Decimal)
	}
	c, err := out.write(ctx, tx, b.ID)
	c.credited = credited
	return c, err
}
