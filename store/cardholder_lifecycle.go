package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"
)

// Cardholder statuses: ACTIVE from creation, CLOSED for good (read-only).
const (
	CardholderActive = "ACTIVE"
	CardholderClosed = "CLOSED"
)

// CardholderStatuses are the values of the list's status filter.
var CardholderStatuses = []string{CardholderActive, CardholderClosed}

// EditableFields are the fields an edit may change: every field of the create body but the card.
var EditableFields = []string{"name", "lastName", "address", "countryOfBirth", "dateOfBirth", "maritalStatus", "gender",
	"phoneNumber", "email", "documentType", "documentNumber"}

// MaxCloseReason bounds the reason of a closing or a reversal.
const MaxCloseReason = 500

// fieldsOf maps the editable fields of an input to their values.
func (in *NewCardholder) fieldsOf() map[string]*string {
	return map[string]*string{"name": &in.Name, "lastName": &in.LastName, "address": &in.Address,
		"countryOfBirth": &in.CountryOfBirth, "dateOfBirth": &in.DateOfBirth, "maritalStatus": &in.MaritalStatus,
		"gender": &in.Gender, "phoneNumber": &in.PhoneNumber, "email": &in.Email, "documentType": &in.DocumentType,
		"documentNumber": &in.DocumentNumber}
}

// Mask hides a personal value in the audit log: its first character and its length only.
func Mask(value string) string {
	n := utf8.RuneCountInString(value)
	if n <= 1 {
		return strings.Repeat("*", n)
	}
	r, _ := utf8.DecodeRuneInString(value)
	return string(r) + strings.Repeat("*", n-1)
}

// UpdateCardholder changes the fields present in patch (keys of EditableFields; a cardId is
// refused, cards are added from the cardholder's cards) with the rules of creation: the whole cardholder after the change is validated, and a document already used by
// another cardholder of the partner is 7011 on documentNumber. The cardholder row is locked for
// the change; a CLOSED cardholder is 7101. The audit row names the changed fields with masked values.
func (s *Store) UpdateCardholder(ctx context.Context, actor Actor, partnerID, cardholderID int64, patch map[string]string, today time.Time) (Cardholder, error) {
	var ch Cardholder
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &ch, `SELECT `+cardholderColumns+` FROM cardholders ch WHERE ch.id = $1 AND ch.partner_id = $2
			FOR UPDATE`, cardholderID, partnerID)
		if err != nil {
			return cardholderNotFoundIf(err)
		}
		if ch.Status == CardholderClosed {
			return NewError(CodeCardholderClosed, "the cardholder is CLOSED, so their data can no longer change")
		}
		before := NewCardholder{Name: ch.Name, LastName: ch.LastName, Address: ch.Address, CountryOfBirth: ch.CountryOfBirth,
			DateOfBirth: ch.DateOfBirth, MaritalStatus: ch.MaritalStatus, Gender: ch.Gender, PhoneNumber: ch.PhoneNumber,
			Email: ch.Email, DocumentType: ch.DocumentType, DocumentNumber: ch.DocumentNumber}
		after := before
		fields := after.fieldsOf()
		for k, v := range patch {
			if f, ok := fields[k]; ok {
				*f = v
			}
		}
		after.Normalize()
		var v Validation
		if _, ok := patch["cardId"]; ok {
			v.Add("cardId", "cardId cannot be changed by an edit; add a card from the cardholder's cards")
		}
		after.validatePerson(&v, today)
		if err := v.Err(); err != nil {
			return err
		}
		old := before.fieldsOf()
		masked := map[string]any{}
		was := map[string]any{}
		var changed []string
		for _, k := range EditableFields {
			if *old[k] != *fields[k] {
				changed = append(changed, k)
				was[k], masked[k] = Mask(*old[k]), Mask(*fields[k])
			}
		}
		if len(changed) == 0 {
			return nil
		}
		err = tx.GetContext(ctx, &ch, `
			UPDATE cardholders ch SET name = $3, last_name = $4, address = $5, country_of_birth = $6, date_of_birth = $7,
			       marital_status = $8, gender = $9, phone_number = $10, email = $11, document_type = $12,
			       document_number = $13, updated_at = now()
			WHERE ch.id = $1 AND ch.partner_id = $2
			RETURNING `+cardholderColumns, cardholderID, partnerID, after.Name, after.LastName, after.Address,
			after.CountryOfBirth, after.DateOfBirth, after.MaritalStatus, after.Gender, after.PhoneNumber, after.Email,
			after.DocumentType, after.DocumentNumber)
		if isUniqueViolation(err, cardholderDocumentKey) {
			var dup Validation
			dup.AddCode("documentNumber", CodeConflict, "a cardholder with this document type and number already exists in this partner")
			return dup.Err()
		}
		if err != nil {
			return fmt.Errorf("store: unable to update cardholder: %w", err)
		}
		return writeAudit(ctx, tx, actor, Event{PartnerID: partnerID, Action: "cardholder.update", ObjectType: "cardholder",
			ObjectID: cardholderID, Before: was, After: map[string]any{"changed": changed, "values": masked}})
	})
	return ch, err
}

// Closing is the outcome of CloseCardholder.
type Closing struct {
	Cardholder Cardholder      `json:"cardholder"`
	Canceled   []int64         `json:"canceledCardIds"`
	Unloaded   decimal.Decimal `json:"unloadedAmount"` // moved back to the partner's balance
}

// holderCardRow is a card of a closing cardholder, locked with its account.
type holderCardRow struct {
	ID               int64           `db:"id"`
	PartnerID        int64           `db:"partner_id"`
	AccountID        int64           `db:"account_id"`
	Status           string          `db:"status"`
	Balance          decimal.Decimal `db:"balance"`
	Currency         string          `db:"currency"`
	PartnerAccountID sql.NullInt64   `db:"partner_account_id"`
}

// CloseCardholder closes a cardholder for good, in one transaction: the cardholder row is locked
// (FOR UPDATE, which waits for any change holding it FOR SHARE), then their cards and accounts.
// While a card holds money the closing is 409 (7102), unless unload is set: every card balance then
// goes back to the partner's available balance through the ledger (WITHDRAW_FUNDS). Every card not
// yet CANCELED becomes CANCELED with the reason, and the cardholder CLOSED.
func (s *Store) CloseCardholder(ctx context.Context, actor Actor, partnerID, cardholderID int64, reason string, unload bool) (Closing, error) {
	reason = strings.TrimSpace(reason)
	var v Validation
	switch n := utf8.RuneCountInString(reason); {
	case n == 0:
		v.Add("reason", "reason is required: why the cardholder is closed")
	case n > MaxCloseReason:
		v.Add("reason", fmt.Sprintf("reason must have at most %d characters", MaxCloseReason))
	}
	if err := v.Err(); err != nil {
		return Closing{}, err
	}
	var out Closing
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		out = Closing{Canceled: []int64{}, Unloaded: decimal.Zero}
		var status string
		err := tx.GetContext(ctx, &status, `SELECT status FROM cardholders WHERE id = $1 AND partner_id = $2 FOR UPDATE`,
			cardholderID, partnerID)
		if errors.Is(err, sql.ErrNoRows) {
			return NewError(CodeUserNotFound, "cardholder not found")
		}
		if err != nil {
			return fmt.Errorf("store: unable to read cardholder: %w", err)
		}
		if status == CardholderClosed {
			return NewError(CodeCardholderClosed, "the cardholder is already CLOSED")
		}
		var cards []holderCardRow
		err = tx.SelectContext(ctx, &cards, `
			SELECT c.id, c.partner_id, c.account_id, c.status, a.balance, a.currency, pa.id AS partner_account_id
			FROM cards c JOIN accounts a ON a.id = c.account_id
			LEFT JOIN accounts pa ON pa.partner_id = c.partner_id AND pa.kind = 'PARTNER' AND pa.currency = a.currency
			WHERE c.cardholder_id = $1 AND c.partner_id = $2 ORDER BY c.id FOR UPDATE OF c`, cardholderID, partnerID)
		if err != nil {
			return fmt.Errorf("store: unable to read cards: %w", err)
		}
		var funded []string
		for _, c := range cards {
			if c.Balance.IsPositive() {
				funded = append(funded, fmt.Sprintf("card %d holds %s %s", c.ID, c.Balance.StringFixed(2), c.Currency))
			}
		}
		if len(funded) > 0 && !unload {
			return NewError(CodeCardholderHasFunds, "the cardholder's cards still hold money ("+strings.Join(funded, ", ")+
				"); unload it first or close with unloadBalances")
		}
		for _, c := range cards {
			if c.Balance.IsPositive() {
				if !c.PartnerAccountID.Valid {
					return Conflict(fmt.Sprintf("the partner has no available balance in %s", c.Currency))
				}
				if _, err := post(ctx, tx, actor, Posting{
					From:     &Side{AccountID: c.AccountID, CardID: c.ID, Type: MovementWithdrawFunds},
					To:       &Side{AccountID: c.PartnerAccountID.Int64, Type: MovementWithdrawFunds},
					Amount:   c.Balance,
					Currency: c.Currency, Channel: ChannelCMS,
					Reference:   "cardholder-close:" + strconv.FormatInt(cardholderID, 10),
					Description: "Balance returned when the cardholder was closed",
				}); err != nil {
					return err
				}
				out.Unloaded = out.Unloaded.Add(c.Balance)
			}
			if c.Status != CardCanceled {
				if _, err := tx.ExecContext(ctx, `UPDATE cards SET status = 'CANCELED', updated_at = now() WHERE id = $1`, c.ID); err != nil {
					return fmt.Errorf("store: unable to cancel card: %w", err)
				}
				if err := writeCardHistory(ctx, tx, actor, CardTransition{CardID: c.ID, PartnerID: partnerID, From: c.Status,
					To: CardCanceled, Reason: "CARDHOLDER_CLOSED", Channel: channelOf(actor)}); err != nil {
					return err
				}
				out.Canceled = append(out.Canceled, c.ID)
			}
		}
		err = tx.GetContext(ctx, &out.Cardholder, `
			UPDATE cardholders ch SET status = 'CLOSED', closed_at = now(), close_reason = $3, updated_at = now()
			WHERE ch.id = $1 AND ch.partner_id = $2 RETURNING `+cardholderColumns, cardholderID, partnerID, reason)
		if err != nil {
			return fmt.Errorf("store: unable to close cardholder: %w", err)
		}
		return writeAudit(ctx, tx, actor, Event{PartnerID: partnerID, Action: "cardholder.close", ObjectType: "cardholder",
			ObjectID: cardholderID, Before: map[string]string{"status": CardholderActive},
			After: map[string]any{"status": CardholderClosed, "reason": reason, "canceledCardIds": out.Canceled,
				"unloaded": out.Unloaded}})
	})
	return out, err
}
