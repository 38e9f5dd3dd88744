package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/lib/pq"
	"github.com/shopspring/decimal"
)

// MaxBalance is the largest balance an account holds: its column is numeric(20,4).
var MaxBalance = maxAmount.Sub(decimal.New(1, -4))

// checkTopUpRoom refuses a top-up whose approval, after every request of the partner still
// pending, would take the balance past MaxBalance: PostgreSQL would refuse the credit at approval,
// and the request would stay pending with no way to approve it.
func (s *Store) checkTopUpRoom(ctx context.Context, partnerID int64, available, amount decimal.Decimal) error {
	var pending decimal.Decimal
	err := s.db.GetContext(ctx, &pending, `
		SELECT coalesce(sum(requested_amount), 0) FROM process_requests WHERE partner_id = $1 AND status = 'PENDING'`, partnerID)
	if err != nil {
		return fmt.Errorf("store: unable to sum pending top-ups: %w", err)
	}
	if available.Add(pending).Add(amount).GreaterThan(MaxBalance) {
		var v Validation
		v.Add("requestedAmount", fmt.Sprintf("requestedAmount would take the balance past its limit of %s (available %s, pending top-ups %s)",
			MaxBalance.StringFixed(4), available.StringFixed(4), pending.StringFixed(4)))
		return v.Err()
	}
	return nil
}

// isOutOfRange reports PostgreSQL's numeric_value_out_of_range (22003).
func isOutOfRange(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code == "22003"
}
