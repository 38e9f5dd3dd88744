package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// CardholderHeader is what every cardholder page shows about the person without reading their
// personal data: the name (as the cardholder list shows it) and whether they are CLOSED.
type CardholderHeader struct {
	ID          int64      `db:"id"`
	Name        string     `db:"name"`
	LastName    string     `db:"last_name"`
	Status      string     `db:"status"`
	ClosedAt    *time.Time `db:"closed_at"`
	CloseReason *string    `db:"close_reason"`
}

// FullName is the name as people read it.
func (h CardholderHeader) FullName() string { return h.Name + " " + h.LastName }

// Closed reports a cardholder closed for good, whose page is read-only.
func (h CardholderHeader) Closed() bool { return h.Status == CardholderClosed }

// ReadCardholderHeader reads the header of a cardholder of the partner (7100 when there is none).
// It is not a read of personal data and is not audited.
func (s *Store) ReadCardholderHeader(ctx context.Context, partnerID, cardholderID int64) (CardholderHeader, error) {
	var h CardholderHeader
	err := s.db.GetContext(ctx, &h, `SELECT id, name, last_name, status, closed_at, close_reason
		FROM cardholders WHERE id = $1 AND partner_id = $2`, cardholderID, partnerID)
	if errors.Is(err, sql.ErrNoRows) {
		return h, NewError(CodeUserNotFound, "cardholder not found")
	}
	if err != nil {
		return h, fmt.Errorf("store: unable to read cardholder: %w", err)
	}
	return h, nil
}
