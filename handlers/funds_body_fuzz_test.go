package handlers

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"cardconsole/store"
)

// wantRuleError fails unless err is a validation error whose codes are the catalog's input codes.
func wantRuleError(t *testing.T, raw []byte, err error) {
	t.Helper()
	e, ok := store.AsError(err)
	if !ok {
		t.Fatalf("%q: not a business error: %v", raw, err)
	}
	allowed := map[store.Code]bool{store.CodeCheckParameters: true, store.CodeGreaterThanZero: true, store.CodeInvalidFormatAmount: true}
	if !allowed[e.Code] {
		t.Fatalf("%q: code %s", raw, e.Code)
	}
	for _, f := range e.Fields {
		if !allowed[f.Code] || f.Field == "" {
			t.Fatalf("%q: field error %+v", raw, f)
		}
	}
}

// FuzzDecodeIssuerFunds: any body is either refused with 7000/7001/7002 or becomes an operation whose
// fields obey every rule, with a fingerprint that depends only on the body.
func FuzzDecodeIssuerFunds(f *testing.F) {
	f.Add([]byte(`{"amount":100.00,"operation":"ADD_FUNDS","channel":"MOBILE","reference":"TOPUP-1","currency":"GTQ","description":"Loyalty reward"}`), false)
	f.Add([]byte(`{"amount":"50","operation":"WITHDRAW_FUNDS","reference":"WD-1","observations":"Manual adjustment"}`), true)
	f.Add([]byte(`{"amount":1e2,"operation":"ADD_FUNDS","channel":"ATM","reference":"x","customKeys":{"a":[1,{"b":null}]}}`), false)
	f.Add([]byte(`{"amount":0.00001,"operation":"ADD_FUNDS","channel":"W","reference":"r","customKeys":"nope"}`), false)
	f.Add([]byte(`{"amount":-1,"reference":"\u0000"}`), true)
	f.Add([]byte(`[]`), false)
	f.Fuzz(func(t *testing.T, raw []byte, put bool) {
		route := issuerFundsPost
		if put {
			route = issuerAssignPut
		}
		got, err := decodeIssuerFunds(raw, route, 42)
		if err != nil {
			wantRuleError(t, raw, err)
			return
		}
		op := got.Op
		if !op.Amount.IsPositive() || !op.Amount.Equal(op.Amount.Truncate(4)) {
			t.Fatalf("%q: amount %s", raw, op.Amount)
		}
		if !store.ValidKey(op.Reference) || op.Channel == "" || !utf8.ValidString(op.Description) {
			t.Fatalf("%q: accepted %+v", raw, op)
		}
		if !put && utf8.RuneCountInString(op.Description) > maxDescription {
			t.Fatalf("%q: description of %d characters", raw, utf8.RuneCountInString(op.Description))
		}
		if op.Currency != "" && !validCurrency(op.Currency) {
			t.Fatalf("%q: currency %q", raw, op.Currency)
		}
		if len(op.CustomKeys) > 0 {
			var obj map[string]any
			if json.Unmarshal(op.CustomKeys, &obj) != nil || obj == nil {
				t.Fatalf("%q: customKeys %s", raw, op.CustomKeys)
			}
		}
		again, err := decodeIssuerFunds(raw, route, 42)
		if err != nil || string(again.Fingerprint) != string(got.Fingerprint) || len(got.Fingerprint) != 32 {
			t.Fatalf("%q: fingerprint is not stable", raw)
		}
		if other, err := decodeIssuerFunds(raw, route, 43); err != nil || string(other.Fingerprint) == string(got.Fingerprint) {
			t.Fatalf("%q: the card is not part of the fingerprint", raw)
		}
	})
}

// FuzzCMSFundsBodies: the CMS funds and transfer bodies, decoded as the JSON binder does, are
// refused with input codes or give a positive amount with at most four places.
func FuzzCMSFundsBodies(f *testing.F) {
	f.Add([]byte(`{"cardId":10,"amount":150.0,"observations":"Monthly allowance"}`))
	f.Add([]byte(`{"fromCardId":10,"toCardId":20,"amount":"50","observations":"Balance reallocation","otp":"123456"}`))
	f.Add([]byte(`{"fromCardId":10,"toCardId":10,"amount":-0}`))
	f.Add([]byte(`{"cardId":1,"amount":{"x":1}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var funds cmsFundsBody
		if json.Unmarshal(raw, &funds) == nil {
			amount, err := funds.check()
			if err != nil {
				wantRuleError(t, raw, err)
			} else if !amount.IsPositive() || !amount.Equal(amount.Truncate(4)) || funds.CardID <= 0 {
				t.Fatalf("%q: accepted %+v %s", raw, funds, amount)
			}
		}
		var transfer cmsTransferBody
		if json.Unmarshal(raw, &transfer) == nil {
			amount, err := transfer.check()
			if err != nil {
				wantRuleError(t, raw, err)
			} else if !amount.IsPositive() || transfer.FromCardID == transfer.ToCardID || transfer.FromCardID <= 0 {
				t.Fatalf("%q: accepted %+v %s", raw, transfer, amount)
			}
		}
	})
}
