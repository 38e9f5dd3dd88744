package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"cardconsole/store/money"
)

// ChannelBulk marks the movements of payout files.
const ChannelBulk = "BULK"

// chunkCounts are the outcomes of the rows applied in one chunk.
type chunkCounts struct {
	succeeded, failed int
	credited          decimal.Decimal
}

// rowMessage is the text of a row's error column: the field and the reason.
func rowMessage(e *Error) string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return strings.Join(parts, "; ")
}

// rowError is a refusal of one field of a row.
func rowError(code Code, field, msg string) *Error {
	return &Error{Code: code, Message: msg, Fields: []FieldError{{Field: field, Code: code, Message: msg}}}
}

// applyRow applies one pending row behind a savepoint and records its outcome. A business refusal
// rolls the row back to the savepoint and is the row's error; anything else fails the chunk. stop
// is true when a payout that stops on insufficient funds ran out.
func (s *Store) applyRow(ctx context.Context, tx *sqlx.Tx, b workingBatch, idx map[string]int, row bulkRow, c *chunkCounts) (stop bool, err error) {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT bulk_row`); err != nil {
		return false, fmt.Errorf("store: unable to set savepoint: %w", err)
	}
	var credited decimal.Decimal
	switch b.Kind {
	case BulkCardholders:
		err = applyCardholderRow(ctx, tx, b, idx, row)
	case BulkCards:
		err = applyCardRow(ctx, tx, b, idx, row)
	case BulkPayout:
		credited, err = applyPayoutRow(ctx, tx, b, idx, row)
	}
	refusal, business := AsError(err)
	if err != nil && !business {
		return false, err
	}
	if err != nil {
		if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT bulk_row`); err != nil {
			return false, fmt.Errorf("store: unable to roll back row: %w", err)
		}
		c.failed++
		_, err = tx.ExecContext(ctx, `UPDATE bulk_rows SET status = 'FAILED', code = $3, error = $4 WHERE batch_id = $1 AND seq = $2`,
			b.ID, row.Seq, string(refusal.Code), rowMessage(refusal))
		if err != nil {
			return false, fmt.Errorf("store: unable to record row: %w", err)
		}
		return refusal.Code == CodeInsufficientFunds && b.OnInsufficient.String == "STOP", nil
	}
	c.succeeded++
	c.credited = c.credited.Add(credited)
	if _, err := tx.ExecContext(ctx, `UPDATE bulk_rows SET status = 'DONE' WHERE batch_id = $1 AND seq = $2`, b.ID, row.Seq); err != nil {
		return false, fmt.Errorf("store: unable to record row: %w", err)
	}
	return false, nil
}

// stopPayout fails the rows left after the one that found the balance short, as the approver chose.
func stopPayout(ctx context.Context, tx *sqlx.Tx, batchID int64, at bulkRow, c *chunkCounts) error {
	msg := fmt.Sprintf("not applied: the batch stopped at row %d, where the partner's balance ran out", at.Line)
	res, err := tx.ExecContext(ctx, `UPDATE bulk_rows SET status = 'FAILED', code = $2, error = $3
		WHERE batch_id = $1 AND status = 'PENDING'`, batchID, string(CodeInsufficientFunds), msg)
	if err != nil {
		return fmt.Errorf("store: unable to stop batch: %w", err)
	}
	n, _ := res.RowsAffected()
	c.failed += int(n)
	return nil
}

// bulkCardID reads a row's cardId: 0 when blank (take the next stock card).
func bulkCardID(value string) (int64, *Error) {
	if value == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(strings.TrimSuffix(value, ".0"), 10, 64)
	if err != nil || id <= 0 {
		return 0, rowError(CodeCheckParameters, "cardId", "cardId must be the number of a card, or blank for the next stock card")
	}
	return id, nil
}

// nextStockCard picks the partner's next INACTIVE unassigned card; SKIP LOCKED leaves the cards other
// transactions are taking to them.
func nextStockCard(ctx context.Context, tx *sqlx.Tx, partnerID int64) (int64, error) {
	var id int64
	err := tx.GetContext(ctx, &id, `SELECT id FROM cards WHERE partner_id = $1 AND cardholder_id IS NULL AND status = 'INACTIVE'
		ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`, partnerID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, rowError(CodeCardNotUpdated, "cardId", "the partner has no INACTIVE stock card left; issue cards, then upload the error file")
	}
	if err != nil {
		return 0, fmt.Errorf("store: unable to pick a stock card: %w", err)
	}
	return id, nil
}

// excelSerial is a date Excel saved as a day number (a cell formatted as a date, read as its value).
var excelSerial = regexp.MustCompile(`^[0-9]{1,6}(\.0+)?$`)

// bulkDate reads a date cell: YYYY-MM-DD as typed, or an Excel day number.
func bulkDate(value string) string {
	if !excelSerial.MatchString(value) {
		return value
	}
	days, _ := strconv.Atoi(strings.SplitN(value, ".", 2)[0])
	return time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, days).Format(time.DateOnly)
}

// cardholderRowInput reads and validates a cardholder row: the new cardholder, and stock true when
// its cardId is blank (the partner's next stock card is taken for it, once the row is valid).
func cardholderRowInput(idx map[string]int, row bulkRow) (in NewCardholder, stock bool, err error) {
	get := func(col string) string { return cell(row.Cells, idx, col) }
	in = NewCardholder{Name: get("name"), LastName: get("lastName"), Address: get("address"), CountryOfBirth: get("countryOfBirth"),
		DateOfBirth: bulkDate(get("dateOfBirth")), MaritalStatus: get("maritalStatus"), Gender: get("gender"),
		PhoneNumber: get("phoneNumber"), Email: get("email"), DocumentType: get("documentType"), DocumentNumber: get("documentNumber")}
	in.Normalize()
	cardID, bad := bulkCardID(get("cardId"))
	if bad != nil {
		return in, false, bad
	}
	in.CardID, stock = cardID, cardID == 0
	if stock {
		in.CardID = 1 // validated apart: the stock card is taken only for a valid row
	}
	var v Validation
	in.Validate(&v, time.Now())
	if err := v.Err(); err != nil {
		return in, stock, err
	}
	if stock {
		in.CardID = 0
	}
	return in, stock, nil
}

// bulkRowEvent is the audit entry of a row's effect: the batch, the row and what it made.
func bulkRowEvent(b workingBatch, row bulkRow, after map[string]any) Event {
	after["row"] = row.Line
	return Event{PartnerID: b.PartnerID, Action: "bulk.row", ObjectType: "bulk_batch", ObjectID: b.ID, After: after}
}

// applyCardholderRow creates the row's cardholder with the card it names or the next stock card,
// through the same validation and transaction step as the single create.
func applyCardholderRow(ctx context.Context, tx *sqlx.Tx, b workingBatch, idx map[string]int, row bulkRow) error {
	in, stock, err := cardholderRowInput(idx, row)
	if err != nil {
		return err
	}
	if stock {
		if in.CardID, err = nextStockCard(ctx, tx, b.PartnerID); err != nil {
			return err
		}
	}
	ch, err := createCardholderTx(ctx, tx, b.actor(), b.PartnerID, in)
	if err != nil {
		return err
	}
	return writeAudit(ctx, tx, b.actor(), bulkRowEvent(b, row, map[string]any{"cardholderId": ch.ID, "cardId": in.CardID}))
}

// bulkCardholder finds the row's cardholder by document: 7100 when the partner has none.
func bulkCardholder(ctx context.Context, tx *sqlx.Tx, partnerID int64, docType, docNumber string) (int64, error) {
	if docType == "" || docNumber == "" {
		return 0, rowError(CodeCheckParameters, "documentNumber", "documentType and documentNumber name the cardholder; both are required")
	}
	var id int64
	err := tx.GetContext(ctx, &id, `SELECT id FROM cardholders WHERE partner_id = $1 AND document_type = $2 AND document_number = $3`,
		partnerID, docType, strings.ToUpper(docNumber))
	if errors.Is(err, sql.ErrNoRows) {
		return 0, rowError(CodeUserNotFound, "documentNumber", "no cardholder of this partner has this document")
	}
	if err != nil {
		return 0, fmt.Errorf("store: unable to find cardholder: %w", err)
	}
	return id, nil
}

// applyCardRow gives an existing cardholder the card the row names (or the next stock card) and
// activates it when asked.
func applyCardRow(ctx context.Context, tx *sqlx.Tx, b workingBatch, idx map[string]int, row bulkRow) error {
	get := func(col string) string { return cell(row.Cells, idx, col) }
	activate := false
	switch strings.ToLower(get("activate")) {
	case "", "false", "no", "0":
	case "true", "yes", "1":
		activate = true
	default:
		return rowError(CodeCheckParameters, "activate", "activate must be true or false")
	}
	cardID, bad := bulkCardID(get("cardId"))
	if bad != nil {
		return bad
	}
	holder, err := bulkCardholder(ctx, tx, b.PartnerID, get("documentType"), get("documentNumber"))
	if err != nil {
		return err
	}
	if cardID == 0 {
		if cardID, err = nextStockCard(ctx, tx, b.PartnerID); err != nil {
			return err
		}
	}
	taken, err := takeStockCard(ctx, tx, b.PartnerID, holder, cardID)
	if err != nil {
		return err
	}
	if !taken {
		return rowError(CodeCardNotUpdated, "cardId", notStockCard(cardID))
	}
	after := map[string]any{"cardholderId": holder, "status": CardInactive}
	if activate {
		if _, err := tx.ExecContext(ctx, `UPDATE cards SET status = 'ACTIVE', updated_at = now() WHERE id = $1 AND status = 'INACTIVE'`,
			cardID); err != nil {
			return fmt.Errorf("store: unable to activate card: %w", err)
		}
		after["status"] = CardActive
	}
	if err := writeAudit(ctx, tx, b.actor(), Event{PartnerID: b.PartnerID, Action: "card.assign", ObjectType: "card", ObjectID: cardID,
		Before: map[string]any{"cardholderId": nil}, After: after}); err != nil {
		return err
	}
	return writeAudit(ctx, tx, b.actor(), bulkRowEvent(b, row, map[string]any{"cardholderId": holder, "cardId": cardID, "activated": activate}))
}

// checkPayoutRow checks a payout row as it is read: its amount and reference, and the card it pays
// (named, or the one ACTIVE card of the cardholder named by document). A bad row gets its failure.
func checkPayoutRow(ctx context.Context, tx *sqlx.Tx, b workingBatch, idx map[string]int, row *bulkRow) {
	get := func(col string) string { return cell(row.Cells, idx, col) }
	fail := func(code Code, field, msg string) { row.failure = rowError(code, field, msg) }
	amount, err := money.Parse(get("amount"))
	switch {
	case errors.Is(err, money.ErrNotPositive):
		fail(CodeGreaterThanZero, "amount", err.Error())
		return
	case err != nil:
		fail(CodeInvalidFormatAmount, "amount", money.ErrFormat.Error())
		return
	}
	if !ValidKey(get("reference")) {
		fail(CodeCheckParameters, "reference", "reference is required: 1 to 255 characters that identify this payment")
		return
	}
	if len(get("description")) > 255 {
		fail(CodeCheckParameters, "description", "description must have at most 255 characters")
		return
	}
	cardID, bad := bulkCardID(get("cardId"))
	if bad != nil {
		row.failure = bad
		return
	}
	if cardID != 0 {
		var ok bool
		if err := tx.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM cards WHERE id = $1 AND partner_id = $2 AND cardholder_id IS NOT NULL)`,
			cardID, b.PartnerID); err != nil || !ok {
			fail(CodeCardNotFound, "cardId", "card not found")
			return
		}
	} else {
		holder, err := bulkCardholder(ctx, tx, b.PartnerID, get("documentType"), get("documentNumber"))
		if e, ok := AsError(err); ok {
			row.failure = e
			return
		}
		var active []int64
		if err == nil {
			err = tx.SelectContext(ctx, &active, `SELECT id FROM cards WHERE cardholder_id = $1 AND status = 'ACTIVE' ORDER BY id`, holder)
		}
		switch {
		case err != nil || len(active) == 0:
			fail(CodeInvalidStatusCard, "cardId", "the cardholder has no ACTIVE card")
			return
		case len(active) > 1:
			fail(CodeCheckParameters, "cardId", fmt.Sprintf("the cardholder has %d ACTIVE cards; name the card in cardId", len(active)))
			return
		}
		cardID = active[0]
	}
	row.CardID = sql.NullInt64{Int64: cardID, Valid: true}
	row.Amount = decimal.NullDecimal{Decimal: amount, Valid: true}
}

// applyPayoutRow loads the row's card from the partner's balance through the funds operation, once
// per reference: the reference is claimed in the same savepoint as the movement, so a reference
// already paid (in this file or an earlier one) is a replay that moves nothing (7006), and a row
// refused for want of funds leaves its reference free for a later file.
func applyPayoutRow(ctx context.Context, tx *sqlx.Tx, b workingBatch, idx map[string]int, row bulkRow) (decimal.Decimal, error) {
	ref := cell(row.Cells, idx, "reference")
	var fresh bool
	err := tx.GetContext(ctx, &fresh, `INSERT INTO payout_references (partner_id, reference, batch_id, seq) VALUES ($1, $2, $3, $4)
		ON CONFLICT DO NOTHING RETURNING true`, b.PartnerID, ref, b.ID, row.Seq)
	if errors.Is(err, sql.ErrNoRows) {
		var first struct {
			BatchID int64 `db:"batch_id"`
			Line    int   `db:"line"`
		}
		if err := tx.GetContext(ctx, &first, `SELECT r.batch_id, br.line FROM payout_references r
			JOIN bulk_rows br ON br.batch_id = r.batch_id AND br.seq = r.seq WHERE r.partner_id = $1 AND r.reference = $2`,
			b.PartnerID, ref); err != nil {
			return decimal.Zero, fmt.Errorf("store: unable to read reference: %w", err)
		}
		return decimal.Zero, rowError(CodeExternalIDExists, "reference",
			fmt.Sprintf("reference %s was already paid by batch %d, row %d; it is not paid twice", ref, first.BatchID, first.Line))
	}
	if err != nil {
		return decimal.Zero, fmt.Errorf("store: unable to claim reference: %w", err)
	}
	op := payoutOperation(b, idx, row)
	moves, err := runTx(ctx, tx, b.actor(), op)
	if err != nil {
		if e, ok := AsError(err); ok && len(e.Fields) == 0 {
			return decimal.Zero, rowError(e.Code, fieldOfRefusal(e.Code), e.Message)
		}
		return decimal.Zero, err
	}
	return row.Amount.Decimal, writeAudit(ctx, tx, b.actor(), op.event(moves))
}

// payoutRowOperation is a payout row's card load: the funds operation, whose audit entry names the
// batch and the row.
type payoutRowOperation struct {
	Operation
	partnerID, batchID int64
	line               int
}

// payoutOperation is the load of a checked payout row from the partner's balance.
func payoutOperation(b workingBatch, idx map[string]int, row bulkRow) payoutRowOperation {
	op := FundsOp{PartnerID: b.PartnerID, CardID: row.CardID.Int64, Amount: row.Amount.Decimal, Currency: b.Currency.String,
		Channel: ChannelBulk, Reference: cell(row.Cells, idx, "reference"), Description: cell(row.Cells, idx, "description")}
	return payoutRowOperation{Operation: AddFundsOperation(op), partnerID: b.PartnerID, batchID: b.ID, line: row.Line}
}

func (p payoutRowOperation) event(movements []Movement) Event {
	ev := p.Operation.event(movements)
	ev.PartnerID = p.partnerID
	ev.After.(map[string]any)["batchId"] = p.batchID
	ev.After.(map[string]any)["row"] = p.line
	return ev
}

// fieldOfRefusal is the column a funds refusal concerns.
func fieldOfRefusal(code Code) string {
	if code == CodeInsufficientFunds || code == CodeGreaterThanZero || code == CodeInvalidFormatAmount {
		return "amount"
	}
	return "cardId"
}
