package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"cardconsole/store/money"
)

// MaxPayloadBytes bounds a request's payload.
const MaxPayloadBytes = 8 << 10

// checkedPayload is a payload after validation: normalised, with the money it moves.
type checkedPayload struct {
	JSON     json.RawMessage
	Amount   decimal.NullDecimal
	Currency *string
}

// profileFields maps the cardholder fields a profile request may change to their columns.
var profileFields = map[string]string{
	"name": "name", "lastName": "last_name", "email": "email", "phoneNumber": "phone_number",
	"maritalStatus": "marital_status", "gender": "gender", "dateOfBirth": "date_of_birth", "countryOfBirth": "country_of_birth",
}

// addressFields maps the fields an address request may change.
var addressFields = map[string]string{"address": "address"}

// payloadReader reads the fields of a payload object, collecting one error per bad field.
type payloadReader struct {
	m map[string]json.RawMessage
	v *Validation
}

func field(key string) string { return "payload." + key }

// only refuses fields outside allowed.
func (p payloadReader) only(allowed ...string) {
	keys := make([]string, 0, len(p.m))
	for k := range p.m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(allowed, k) {
			p.v.Add(field(k), fmt.Sprintf("unknown field; this request type takes %s", strings.Join(allowed, ", ")))
		}
	}
}

// id reads a required positive integer id.
func (p payloadReader) id(key string) int64 {
	raw, ok := p.m[key]
	if !ok {
		p.v.Add(field(key), key+" is required")
		return 0
	}
	var n json.Number
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&n); err == nil {
		if id, err := strconv.ParseInt(n.String(), 10, 64); err == nil && id > 0 {
			return id
		}
	}
	p.v.Add(field(key), key+" must be a positive integer id")
	return 0
}

// amount reads a required positive amount with at most four decimal places.
func (p payloadReader) amount(key string) decimal.Decimal {
	raw, ok := p.m[key]
	if !ok {
		p.v.Add(field(key), key+" is required")
		return decimal.Decimal{}
	}
	var r money.Raw
	if err := json.Unmarshal(raw, &r); err != nil {
		p.v.AddCode(field(key), CodeInvalidFormatAmount, money.ErrFormat.Error())
		return decimal.Decimal{}
	}
	d, err := money.Parse(string(r))
	switch {
	case errors.Is(err, money.ErrNotPositive):
		p.v.AddCode(field(key), CodeGreaterThanZero, err.Error())
	case err != nil:
		p.v.AddCode(field(key), CodeInvalidFormatAmount, err.Error())
	}
	return d
}

// text reads a string field; required says whether it must be present. It returns the trimmed value
// and whether the field was given and valid.
func (p payloadReader) text(key string, required bool, maxLen int) (string, bool) {
	raw, ok := p.m[key]
	if !ok {
		if required {
			p.v.Add(field(key), key+" is required")
		}
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		p.v.Add(field(key), key+" must be a string")
		return "", false
	}
	s = strings.TrimSpace(s)
	if s == "" || len([]rune(s)) > maxLen {
		p.v.Add(field(key), fmt.Sprintf("%s must have 1 to %d characters", key, maxLen))
		return "", false
	}
	return s, true
}

// decodeObject reads the payload as a JSON object.
func decodeObject(raw json.RawMessage, v *Validation) map[string]json.RawMessage {
	if t := bytes.TrimSpace(raw); len(t) == 0 || bytes.Equal(t, []byte("null")) {
		return map[string]json.RawMessage{}
	}
	if len(raw) > MaxPayloadBytes {
		v.Add("payload", fmt.Sprintf("payload must be at most %d bytes", MaxPayloadBytes))
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		v.Add("payload", "payload must be a JSON object")
		return nil
	}
	return m
}

// clientCard is a card as a request about it needs it.
type clientCard struct {
	ID        int64  `db:"id"`
	AccountID int64  `db:"account_id"`
	Currency  string `db:"currency"`
	Status    string `db:"status"`
	Last4     string `db:"last4"`
}

// cardOfClient reads a card that belongs to the client; another card answers a 7200 on field.
func cardOfClient(ctx context.Context, q sqlx.QueryerContext, partnerID, clientID, cardID int64, key string, v *Validation) (clientCard, bool) {
	var c clientCard
	err := sqlx.GetContext(ctx, q, &c, `SELECT c.id, c.account_id, a.currency, c.status, c.last4
		FROM cards c JOIN accounts a ON a.id = c.account_id
		WHERE c.id = $1 AND c.cardholder_id = $2 AND c.partner_id = $3`, cardID, clientID, partnerID)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			v.AddCode(field(key), CodeCardNotFound, "the client has no such card")
			return c, false
		}
		v.AddCode(field(key), CodeConsultWithSupport, "the card could not be read")
		return c, false
	}
	return c, true
}

// checkPayload validates the payload of a request type and normalises it: money requests name cards
// of the client and an amount, profile and address requests propose valid cardholder fields,
// verification and document requests carry a document reference, the others any JSON object.
func checkPayload(ctx context.Context, q sqlx.QueryerContext, partnerID, clientID int64, typ string, raw json.RawMessage) (checkedPayload, error) {
	var v Validation
	m := decodeObject(raw, &v)
	if m == nil {
		return checkedPayload{}, v.Err()
	}
	p := payloadReader{m: m, v: &v}
	out := map[string]any{}
	var res checkedPayload
	switch typ {
	case RequestDeposit, RequestWithdrawal:
		p.only("cardId", "amount")
		cardID, amount := p.id("cardId"), p.amount("amount")
		if cardID != 0 {
			if c, ok := cardOfClient(ctx, q, partnerID, clientID, cardID, "cardId", &v); ok {
				res.Currency = &c.Currency
			}
		}
		out["cardId"], out["amount"] = cardID, amount
		res.Amount = decimal.NullDecimal{Decimal: amount, Valid: true}
	case RequestTransfer:
		p.only("fromCardId", "toCardId", "amount")
		from, to, amount := p.id("fromCardId"), p.id("toCardId"), p.amount("amount")
		var fromCard, toCard clientCard
		var okFrom, okTo bool
		if from != 0 {
			fromCard, okFrom = cardOfClient(ctx, q, partnerID, clientID, from, "fromCardId", &v)
		}
		if to != 0 {
			toCard, okTo = cardOfClient(ctx, q, partnerID, clientID, to, "toCardId", &v)
		}
		if from != 0 && from == to {
			v.Add(field("toCardId"), "toCardId must be another card than fromCardId")
		}
		if okFrom && okTo && fromCard.Currency != toCard.Currency {
			v.Add(field("toCardId"), "both cards must hold the same currency")
		}
		if okFrom {
			res.Currency = &fromCard.Currency
		}
		out["fromCardId"], out["toCardId"], out["amount"] = from, to, amount
		res.Amount = decimal.NullDecimal{Decimal: amount, Valid: true}
	case RequestProfile, RequestAddress:
		fields := profileFields
		if typ == RequestAddress {
			fields = addressFields
		}
		allowed := make([]string, 0, len(fields))
		for k := range fields {
			allowed = append(allowed, k)
		}
		slices.Sort(allowed)
		p.only(allowed...)
		for _, k := range allowed {
			if val, ok := checkCardholderField(p, k); ok {
				out[k] = val
			}
		}
		if len(m) == 0 {
			v.Add("payload", "propose at least one of "+strings.Join(allowed, ", "))
		}
	case RequestVerification, RequestDocument:
		p.only("documentReference")
		if ref, ok := p.text("documentReference", true, 200); ok {
			out["documentReference"] = ref
		}
	default:
		// Free-form payloads are kept as they came (compacted), so no number loses precision.
		var buf bytes.Buffer
		if len(m) > 0 && json.Compact(&buf, raw) == nil {
			res.JSON = buf.Bytes()
			return res, nil
		}
	}
	if err := v.Err(); err != nil {
		return checkedPayload{}, err
	}
	b, err := json.Marshal(out)
	if err != nil {
		return checkedPayload{}, fmt.Errorf("store: unable to encode payload: %w", err)
	}
	res.JSON = b
	return res, nil
}

// checkCardholderField validates one proposed cardholder field with the rules of a new cardholder
// and returns it normalised as a new cardholder's would be.
func checkCardholderField(p payloadReader, key string) (string, bool) {
	s, ok := p.text(key, false, MaxAddress)
	if !ok {
		return "", false
	}
	bad := false
	add := func(_, msg string) { p.v.Add(field(key), msg); bad = true }
	switch key {
	case "name", "lastName":
		s = collapseSpaces(s)
		checkPersonName(add, key, s)
	case "address":
		if strings.ContainsFunc(s, isControl) {
			add(key, "address must be a single line of text")
		}
	case "email":
		s = strings.ToLower(s)
		if msg := emailProblem(s); msg != "" {
			add(key, msg)
		}
	case "phoneNumber":
		if !phonePattern.MatchString(s) {
			add(key, "phoneNumber must be 8 to 15 digits with the country code, optionally after +, such as 50255551234")
		}
	case "maritalStatus":
		checkEnum(add, key, s, MaritalStatuses)
	case "gender":
		checkEnum(add, key, s, Genders)
	case "dateOfBirth":
		checkDateOfBirth(add, s, time.Now())
	case "countryOfBirth":
		if !ValidCountry(s) {
			add(key, "countryOfBirth must be an ISO 3166-1 alpha-2 country code in capitals, such as GT")
		}
	}
	return s, !bad
}
