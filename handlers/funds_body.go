package handlers

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"cardconsole/store"
	"cardconsole/store/money"
	"cardconsole/web/format"
)

// Limits of the funds bodies' free-text fields.
const (
	maxDescription  = 50   // FundsOperationDto.description, as the spec says
	maxObservations = 255  // observations of CMS operations and CardAssingFundsDto
	maxChannel      = 30   // e.g. MOBILE, WEB, ATM
	maxCustomKeys   = 4096 // bytes of the customKeys object
)

// Issuer funds operations.
const (
	opAddFunds      = "ADD_FUNDS"
	opWithdrawFunds = "WITHDRAW_FUNDS"
)

// channelAdjustment is the channel of PUT /rest/cards/{cardId}/funds, whose body has none: an
// issuer-side adjustment.
const channelAdjustment = "ADJUSTMENT"

// issuerFundsBody is FundsOperationDto (POST) and CardAssingFundsDto (PUT) in one: each method reads
// only its own fields.
type issuerFundsBody struct {
	Amount       money.Raw       `json:"amount"`
	Operation    string          `json:"operation"`
	Channel      string          `json:"channel"`
	Reference    string          `json:"reference"`
	Description  string          `json:"description"`
	Observations string          `json:"observations"`
	Currency     string          `json:"currency"`
	CustomKeys   json.RawMessage `json:"customKeys"`
}

// issuerFunds is a valid issuer funds request: the operation, its fields and its fingerprint.
type issuerFunds struct {
	Withdraw    bool
	Op          store.FundsOp // without partner and card, which come from the path
	Fingerprint []byte
}

// issuerFundsRoute is the issuer funds route a body came to, named by its method: each route has
// its own body.
type issuerFundsRoute string

// The issuer funds routes.
const (
	issuerFundsPost issuerFundsRoute = "POST" // CardFundsDto: a channel, a description, custom keys
	issuerAssignPut issuerFundsRoute = "PUT"  // CardAssingFundsDto: an adjustment with observations
)

// decodeIssuerFunds reads and checks the body of an issuer funds route. Every rule failure is
// reported at once, per field, with codes 7000, 7001 and 7002.
func decodeIssuerFunds(raw []byte, route issuerFundsRoute, cardID int64) (issuerFunds, error) {
	var b issuerFundsBody
	if err := decodeStrict(raw, &b); err != nil {
		return issuerFunds{}, err
	}
	var v store.Validation
	amount := parseAmount(&v, "amount", b.Amount)
	if b.Operation != opAddFunds && b.Operation != opWithdrawFunds {
		v.Add("operation", "operation must be ADD_FUNDS or WITHDRAW_FUNDS")
	}
	b.Reference = strings.TrimSpace(b.Reference)
	if !store.ValidKey(b.Reference) {
		v.Add("reference", "reference is required: 1 to 255 printable characters")
	}
	b.Currency = strings.TrimSpace(b.Currency)
	if b.Currency != "" && !validCurrency(b.Currency) {
		v.Add("currency", "currency must be an ISO 4217 code such as GTQ")
	}
	op := store.FundsOp{Amount: amount, Currency: b.Currency, Reference: b.Reference}
	if route == issuerAssignPut {
		op.Channel = channelAdjustment
		op.Description = strings.TrimSpace(b.Observations)
		checkText(&v, "observations", op.Description, maxObservations)
	} else {
		op.Channel = strings.TrimSpace(b.Channel)
		if op.Channel == "" {
			v.Add("channel", "channel is required, e.g. MOBILE, WEB or ATM")
		}
		checkText(&v, "channel", op.Channel, maxChannel)
		op.Description = strings.TrimSpace(b.Description)
		checkText(&v, "description", op.Description, maxDescription)
		keys, err := canonicalObject(b.CustomKeys)
		if err != nil {
			v.Add("customKeys", err.Error())
		}
		op.CustomKeys = keys
	}
	if err := v.Err(); err != nil {
		return issuerFunds{}, err
	}
	return issuerFunds{Withdraw: b.Operation == opWithdrawFunds, Op: op, Fingerprint: fingerprint(map[string]any{
		"method": string(route), "cardId": cardID, "operation": b.Operation, "amount": amount.String(),
		"currency": op.Currency, "channel": op.Channel, "description": op.Description, "customKeys": op.CustomKeys,
	})}, nil
}

// cmsFundsBody is the body of .../cards/funds/add and .../funds/withdraw, as JSON or a console form.
type cmsFundsBody struct {
	CardID       int64     `json:"cardId" form:"cardId"`
	Amount       money.Raw `json:"amount" form:"amount"`
	Observations string    `json:"observations" form:"observations"`
	OTP          string    `json:"otp" form:"otp"`
}

// check validates the body and returns the amount.
func (b *cmsFundsBody) check() (decimal.Decimal, error) {
	var v store.Validation
	if b.CardID <= 0 {
		v.Add("cardId", "cardId is required")
	}
	amount := parseAmount(&v, "amount", b.Amount)
	b.Observations = strings.TrimSpace(b.Observations)
	checkText(&v, "observations", b.Observations, maxObservations)
	return amount, v.Err()
}

// cmsTransferBody is the body of .../cards/transfers.
type cmsTransferBody struct {
	FromCardID   int64     `json:"fromCardId" form:"fromCardId"`
	ToCardID     int64     `json:"toCardId" form:"toCardId"`
	Amount       money.Raw `json:"amount" form:"amount"`
	Observations string    `json:"observations" form:"observations"`
	OTP          string    `json:"otp" form:"otp"`
}

// check validates the body and returns the amount.
func (b *cmsTransferBody) check() (decimal.Decimal, error) {
	var v store.Validation
	if b.FromCardID <= 0 {
		v.Add("fromCardId", "fromCardId is required")
	}
	if b.ToCardID <= 0 {
		v.Add("toCardId", "choose the card to transfer to")
	} else if b.ToCardID == b.FromCardID {
		v.Add("toCardId", "choose two different cards")
	}
	amount := parseAmount(&v, "amount", b.Amount)
	b.Observations = strings.TrimSpace(b.Observations)
	checkText(&v, "observations", b.Observations, maxObservations)
	return amount, v.Err()
}

// parseAmount reads a required amount: missing is 7000, not positive 7001, malformed 7002.
func parseAmount(v *store.Validation, field string, raw money.Raw) decimal.Decimal {
	if strings.TrimSpace(string(raw)) == "" {
		v.Add(field, "amount is required")
		return decimal.Zero
	}
	d, err := money.Parse(string(raw))
	switch {
	case errors.Is(err, money.ErrNotPositive):
		v.AddCode(field, store.CodeGreaterThanZero, err.Error())
	case err != nil:
		v.AddCode(field, store.CodeInvalidFormatAmount, money.ErrFormat.Error())
	}
	return d
}

// parseTypedAmount reads an amount an operator typed in a console form, where 12,500.00 is as good
// as 12500; a form that could be read two ways (12.500,00, 1,25) is refused with what to type.
// API bodies keep plain numbers (parseAmount).
func parseTypedAmount(v *store.Validation, field, raw string) decimal.Decimal {
	if strings.TrimSpace(raw) == "" {
		return parseAmount(v, field, money.Raw(raw))
	}
	d, err := format.ParseAmount(raw)
	if errors.Is(err, format.ErrAmbiguous) {
		v.AddCode(field, store.CodeInvalidFormatAmount, err.Error())
		return d
	}
	if err != nil {
		return parseAmount(v, field, money.Raw(raw))
	}
	return d
}

// checkText refuses text that is too long or not valid UTF-8 (which PostgreSQL would refuse later).
func checkText(v *store.Validation, field, s string, max int) {
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		v.Add(field, field+" must be plain text")
	} else if utf8.RuneCountInString(s) > max {
		v.Add(field, field+" must be at most "+strconv.Itoa(max)+" characters")
	}
}

func validCurrency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// canonicalObject checks that raw is a JSON object (or absent/null) and re-encodes it with sorted
// keys and exact numbers, so that key order does not change a request's fingerprint.
func canonicalObject(raw json.RawMessage) (json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	if len(raw) > maxCustomKeys {
		return nil, errors.New("customKeys must be at most 4096 bytes")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil, errors.New("customKeys must be a JSON object")
	}
	out, err := json.Marshal(obj)
	if err != nil || !utf8.Valid(out) || bytes.Contains(out, []byte(`\u0000`)) {
		return nil, errors.New("customKeys must be a JSON object of text")
	}
	return out, nil
}

// fingerprint identifies a request by its meaningful fields (never the one-time code).
func fingerprint(fields map[string]any) []byte {
	b, _ := json.Marshal(fields) // map keys are sorted; the values are strings, numbers and raw JSON
	sum := sha256.Sum256(b)
	return sum[:]
}
