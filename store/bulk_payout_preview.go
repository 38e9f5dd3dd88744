package store

import (
	"context"
	"fmt"

	"github.com/lib/pq"
	"github.com/shopspring/decimal"
)

// PayoutPreviewRow is a row of a payout file as its checker reviews it: the card it pays and its
// holder, the amount and the reference, and the check it failed when it was read.
type PayoutPreviewRow struct {
	Line           int                 `db:"line" json:"line"`
	CardID         *int64              `db:"card_id" json:"cardId"`
	Last4          *string             `db:"last4" json:"last4"`
	HolderName     *string             `db:"holder_name" json:"holderName"`
	DocumentType   *string             `db:"document_type" json:"documentType"`
	DocumentNumber *string             `db:"document_number" json:"documentNumber"`
	Amount         decimal.NullDecimal `db:"amount" json:"amount"`
	Reference      string              `db:"-" json:"reference"`
	Status         string              `db:"status" json:"status"`
	Error          *string             `db:"error" json:"error"`
}

// MaskPersonal hides the holder's document number, as lists do for an operator who must give a
// one-time code to read personal data.
func (r *PayoutPreviewRow) MaskPersonal() {
	if r.DocumentNumber != nil {
		masked := maskTail(*r.DocumentNumber)
		r.DocumentNumber = &masked
	}
}

// PayoutPreview returns the first limit rows of a payout file of the partner, in file order, with
// the card each pays and its holder.
func (s *Store) PayoutPreview(ctx context.Context, partnerID, batchID int64, limit int) ([]PayoutPreviewRow, error) {
	header, err := s.BatchHeader(ctx, partnerID, batchID)
	if err != nil {
		return nil, err
	}
	idx, err := columnIndex(BulkPayout, header)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		PayoutPreviewRow
		Cells pq.StringArray `db:"cells"`
	}
	err = s.db.SelectContext(ctx, &rows, `
		SELECT br.line, br.card_id, c.last4, ch.name || ' ' || ch.last_name AS holder_name, ch.document_type, ch.document_number,
		       br.amount, br.status, br.error, br.cells
		FROM bulk_rows br
		JOIN bulk_batches b ON b.id = br.batch_id AND b.partner_id = $2 AND b.kind = 'PAYOUT'
		LEFT JOIN cards c ON c.id = br.card_id
		LEFT JOIN cardholders ch ON ch.id = c.cardholder_id
		WHERE br.batch_id = $1 ORDER BY br.seq LIMIT $3`, batchID, partnerID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read payout rows: %w", err)
	}
	out := make([]PayoutPreviewRow, len(rows))
	for i, r := range rows {
		out[i] = r.PayoutPreviewRow
		out[i].Reference = cell(r.Cells, idx, "reference")
	}
	return out, nil
}
