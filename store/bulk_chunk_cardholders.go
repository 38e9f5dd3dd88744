package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// applyCardholderChunk creates the cardholders of a chunk's valid rows at once: their stock cards in
// one read, the cardholders in one INSERT, the cards given out in one UPDATE, then the audit entries
// and the outcomes. A row whose own fields are invalid fails as it would alone. Anything a row would
// meet only against other data (a document already there or twice in the chunk, a named card that
// is not in stock, stock running out) sends the chunk back row by row (errRowByRow), where each row
// gets its own outcome.
func applyCardholderChunk(ctx context.Context, tx *sqlx.Tx, b workingBatch, idx map[string]int, rows []bulkRow) (chunkCounts, error) {
	out := rowOutcomes{actor: b.actor()}
	var valid []bulkRow
	var inputs []NewCardholder
	var stockRows []int // positions in inputs of the rows that take the next stock card
	named := []int64{}  // the cards rows name
	documents, cards := map[[2]string]bool{}, map[int64]bool{}
	for _, row := range rows {
		in, stock, err := cardholderRowInput(idx, row)
		if e, business := AsError(err); business {
			out.fail(row, e)
			continue
		} else if err != nil {
			return chunkCounts{}, err
		}
		doc := [2]string{in.DocumentType, in.DocumentNumber}
		if documents[doc] || (!stock && cards[in.CardID]) {
			return chunkCounts{}, errRowByRow
		}
		documents[doc] = true
		if stock {
			stockRows = append(stockRows, len(inputs))
		} else {
			cards[in.CardID] = true
			named = append(named, in.CardID)
		}
		valid, inputs = append(valid, row), append(inputs, in)
	}
	if len(inputs) > 0 {
		if err := takeStockCards(ctx, tx, b.PartnerID, named, inputs, stockRows); err != nil {
			return chunkCounts{}, err
		}
		ids, err := insertCardholders(ctx, tx, b.PartnerID, inputs)
		if err != nil {
			return chunkCounts{}, err
		}
		if err := assignCards(ctx, tx, b.PartnerID, inputs, ids); err != nil {
			return chunkCounts{}, err
		}
		for i, in := range inputs {
			out.done = append(out.done, int64(valid[i].Seq))
			out.audit(Event{PartnerID: b.PartnerID, Action: "cardholder.create", ObjectType: "cardholder", ObjectID: ids[i],
				After: map[string]any{"cardId": in.CardID, "documentType": in.DocumentType}})
			out.audit(bulkRowEvent(b, valid[i], map[string]any{"cardholderId": ids[i], "cardId": in.CardID}))
		}
	}
	return out.write(ctx, tx, b.ID)
}

// takeStockCards gives each input at the positions stock the partner's next stock card, in id
// order, leaving the named cards and those other transactions are taking (SKIP LOCKED).
func takeStockCards(ctx context.Context, tx *sqlx.Tx, partnerID int64, named []int64, inputs []NewCardholder, stock []int) error {
	if len(stock) == 0 {
		return nil
	}
	var ids []int64
	err := tx.SelectContext(ctx, &ids, `SELECT id FROM cards WHERE partner_id = $1 AND cardholder_id IS NULL AND status = 'INACTIVE'
		AND id <> ALL($2::bigint[]) ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED`, partnerID, pq.Array(named), len(stock))
	if err != nil {
		return fmt.Errorf("store: unable to pick stock cards: %w", err)
	}
	if len(ids) < len(stock) {
		return errRowByRow
	}
	for i, at := range stock {
		inputs[at].CardID = ids[i]
	}
	return nil
}

// insertCardholders inserts the cardholders with COPY, their ids taken from the sequence first, and
// returns the ids in input order. A document that is there already fails the COPY (a unique
// violation, which sends the chunk row by row, where that row says so).
func insertCardholders(ctx context.Context, tx *sqlx.Tx, partnerID int64, inputs []NewCardholder) ([]int64, error) {
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, `SELECT nextval('cardholders_id_seq') FROM generate_series(1, $1)`, len(inputs)); err != nil {
		return nil, fmt.Errorf("store: unable to number cardholders: %w", err)
	}
	rows := make([][]any, len(inputs))
	for i, in := range inputs {
		rows[i] = []any{ids[i], partnerID, in.Name, in.LastName, in.Address, in.CountryOfBirth, in.DateOfBirth, in.MaritalStatus,
			in.Gender, in.PhoneNumber, in.Email, in.DocumentType, in.DocumentNumber}
	}
	err := copyRows(ctx, tx, "cardholders", []string{"id", "partner_id", "name", "last_name", "address", "country_of_birth",
		"date_of_birth", "marital_status", "gender", "phone_number", "email", "document_type", "document_number"}, rows)
	return ids, err
}

// assignCards gives each cardholder its card, which must still be an unassigned card of the partner.
func assignCards(ctx context.Context, tx *sqlx.Tx, partnerID int64, inputs []NewCardholder, holders []int64) error {
	cards := make([]int64, len(inputs))
	for i, in := range inputs {
		cards[i] = in.CardID
	}
	res, err := tx.ExecContext(ctx, `UPDATE cards c SET cardholder_id = v.holder, updated_at = now()
		FROM unnest($2::bigint[], $3::bigint[]) AS v(card, holder)
		WHERE c.id = v.card AND c.partner_id = $1 AND c.cardholder_id IS NULL`, partnerID, pq.Array(cards), pq.Array(holders))
	if err != nil {
		return fmt.Errorf("store: unable to assign cards: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != int64(len(inputs)) {
		return errRowByRow // a named card that is not in stock: its row says so
	}
	return nil
}
