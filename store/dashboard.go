package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// WorkCap is the largest count the dashboard shows as a number; beyond it shows "99+", as the bell.
const WorkCap = BellCap

// FailedBatchesWindow is how far back the dashboard looks for batches with failed rows.
const FailedBatchesWindow = 7 * 24 * time.Hour

// WorkQuery says what to count for one partner on the dashboard: each part only when the operator
// may see it.
type WorkQuery struct {
	PartnerID    int64
	Currency     string    // the partner's balance currency
	TopUps       bool      // pending top-ups
	Today        bool      // loads and unloads since DayStart
	DayStart     time.Time // the start of the partner's day
	Batches      bool      // batches with failed rows since BatchesSince
	BatchesSince time.Time // the oldest batch counted
}

// PartnerWork is what an operator opens the console for on one partner. The counts stop at
// WorkCap+1, so each is a short read of an index however much history the partner has.
type PartnerWork struct {
	PendingTopUps int
	Loads         int
	Loaded        decimal.Decimal
	Unloads       int
	Unloaded      decimal.Decimal
	FailedBatches int
}

// capped wraps a query selecting rows so that it counts at most WorkCap+1 of them.
func capped(selectRows string) string {
	return `SELECT count(*) FROM (` + selectRows + ` LIMIT ` + strconv.Itoa(WorkCap+1) + `) AS capped`
}

// PartnerWork counts what waits on a partner and what moved today.
func (s *Store) PartnerWork(ctx context.Context, q WorkQuery) (PartnerWork, error) {
	var w PartnerWork
	if q.TopUps {
		err := s.db.GetContext(ctx, &w.PendingTopUps, capped(`SELECT 1 FROM process_requests
			WHERE partner_id = $1 AND status = 'PENDING'`), q.PartnerID)
		if err != nil {
			return w, fmt.Errorf("store: unable to count pending top-ups: %w", err)
		}
	}
	if q.Today {
		// Loads and unloads all pass through the partner's balance account: its movements of the day,
		// read by (account, time).
		var rows []struct {
			Type   string          `db:"type"`
			Count  int             `db:"count"`
			Amount decimal.Decimal `db:"amount"`
		}
		err := s.db.SelectContext(ctx, &rows, `SELECT m.type, count(*) AS count, COALESCE(sum(m.amount), 0) AS amount
			FROM accounts a JOIN movements m ON m.account_id = a.id AND m.created_at >= $3
			WHERE a.partner_id = $1 AND a.kind = 'PARTNER' AND a.currency = $2 AND m.type IN ($4, $5)
			GROUP BY m.type`, q.PartnerID, q.Currency, q.DayStart, MovementAddFunds, MovementWithdrawFunds)
		if err != nil {
			return w, fmt.Errorf("store: unable to sum today's loads and unloads: %w", err)
		}
		w.Loaded, w.Unloaded = decimal.Zero, decimal.Zero
		for _, r := range rows {
			if r.Type == MovementAddFunds {
				w.Loads, w.Loaded = r.Count, r.Amount
			} else {
				w.Unloads, w.Unloaded = r.Count, r.Amount
			}
		}
	}
	if q.Batches {
		err := s.db.GetContext(ctx, &w.FailedBatches, capped(`SELECT 1 FROM bulk_batches
			WHERE partner_id = $1 AND failed > 0 AND created_at >= $2`), q.PartnerID, q.BatchesSince)
		if err != nil {
			return w, fmt.Errorf("store: unable to count failed batches: %w", err)
		}
	}
	return w, nil
}
