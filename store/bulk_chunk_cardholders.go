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

// insertCardholders inserts the cardholders in one statement and returns their ids in input order.
// A document that is there already fails the statement (a unique violation, which sends the chunk
// row by row, where that row says so): without ON CONFLICT, the insert skips the speculative check.
func insertCardholders(ctx context.Context, tx *sqlx.Tx, partnerID int64, inputs []NewCardholder) ([]int64, error) {
	cols := make([][]string, 11)
	for _, in := range inputs {
		for i, v := range []string{in.Name, in.LastName, in.Address, in.CountryOfBirth, in.DateOfBirth, in.MaritalStatus,
			in.Gender, in.PhoneNumber, in.Email, in.DocumentType, in.DocumentNumber} {
			cols[i] = append(cols[i], v)
		}
	}
	args := []any{partnerID}
	for _, c := range cols {
		args = append(args, pq.Array(c))
	}
	var made []struct {
		ID             int64  `db:"id"`
		DocumentType   string `db:"document_type"`
		DocumentNumber string `db:"document_number"`
	}
	err := tx.SelectContext(ctx, &made, `
		INSERT INTO cardholders (partner_id, name, last_name, address, country_of_birth, date_of_birth, marital_status, gender,
		                         phone_number, email, document_type, document_number)
		SELECT $1, name, last_name, address, country, dob::date, marital, gender, phone, email, doc_type, doc_number
		FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
		            $11::text[], $12::text[])
		     AS u(name, last_name, address, country, dob, marital, gender, phone, email, doc_type, doc_number)
		RETURNING id, document_type, document_number`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to create cardholders: %w", err)
	}
	if len(made) != len(inputs) {
		return nil, errRowByRow
	}
	byDoc := make(map[[2]string]int64, len(made))
	for _, m := range made {
		byDoc[[2]string{m.DocumentType, m.DocumentNumber}] = m.ID
	}
	ids := make([]int64, len(inputs))
	for i, in := range inputs {
		ids[i] = byDoc[[2]string{in.DocumentType, in.DocumentNumber}]
	}
	return ids, nil
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
