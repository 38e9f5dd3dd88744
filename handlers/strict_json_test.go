package handlers_test

import (
	"net/http"
	"testing"

	"cardconsole/store"
)

// TestMoneyRoutesRefuseAmbiguousJSON sends money bodies with trailing data, a duplicate name and an
// unknown field: each is 400 7000 naming the field, and no balance moves.
func TestMoneyRoutesRefuseAmbiguousJSON(t *testing.T) {
	t.Parallel()
	w := newFundsWorld(t, "500")
	add := w.holderPath("/cards/funds/add")
	transfer := w.holderPath("/cards/transfers")
	issuer := "/rest/cards/" + itoa(w.card.ID) + "/funds"
	cms := w.maker.Headers()
	cases := []struct {
		name, path, body, field string
		headers                 map[string]string
	}{
		{"trailing garbage", add, `{"cardId":` + itoa(w.card.ID) + `,"amount":1}xyz`, "body", cms},
		{"second value", add, `{"cardId":` + itoa(w.card.ID) + `,"amount":1}{"amount":2}`, "body", cms},
		{"duplicate amount", add, `{"cardId":` + itoa(w.card.ID) + `,"amount":1,"amount":400}`, "amount", cms},
		{"unknown field", add, `{"cardId":` + itoa(w.card.ID) + `,"amount":1,"amuont":2}`, "amuont", cms},
		{"transfer trailing", transfer, `{"fromCardId":` + itoa(w.card.ID) + `,"toCardId":` + itoa(w.second.ID) + `,"amount":1} 1`, "body", cms},
		{"issuer duplicate", issuer, `{"amount":1,"operation":"ADD_FUNDS","operation":"WITHDRAW_FUNDS","channel":"WEB","reference":"R-1"}`, "operation", w.issuer},
		{"issuer nested duplicate", issuer, `{"amount":1,"operation":"ADD_FUNDS","channel":"WEB","reference":"R-2","customKeys":{"a":1,"a":2}}`, "customKeys.a", w.issuer},
		{"issuer unknown", issuer, `{"amount":1,"operation":"ADD_FUNDS","channel":"WEB","reference":"R-3","cardId":9}`, "cardId", w.issuer},
		{"issuer trailing", issuer, `{"amount":1,"operation":"ADD_FUNDS","channel":"WEB","reference":"R-4"}]`, "body", w.issuer},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := w.env.Do(http.MethodPost, tc.path, tc.headers, tc.body).WantError(http.StatusBadRequest, string(store.CodeCheckParameters))
			if got := res.FieldErrors(); got[tc.field] != string(store.CodeCheckParameters) {
				t.Fatalf("field errors %v, want %s named; body: %s", got, tc.field, res.Body)
			}
		})
	}
	if b := w.balance(w.card.ID); !b.IsZero() {
		t.Fatalf("card balance %s after refused bodies, want 0", b)
	}
	if b := w.partnerBalance().String(); b != "500" {
		t.Fatalf("partner balance %s after refused bodies, want 500", b)
	}
	// The same body without the extra data still moves money, so the refusals above are the parser's.
	w.env.Do(http.MethodPost, add, cms, `{"cardId":`+itoa(w.card.ID)+`,"amount":1}`+"\n").WantStatus(http.StatusOK)
}

// TestClientRequestPayloadRefusesDuplicateNames: a money request whose payload names the amount
// twice is refused, naming it, and nothing is filed.
func TestClientRequestPayloadRefusesDuplicateNames(t *testing.T) {
	t.Parallel()
	q := newQueue(t)
	body := `{"clientId":` + itoa(q.client) + `,"type":"deposit","payload":{"cardId":` + itoa(q.card.ID) + `,"amount":"1","amount":"900"}}`
	res := api(q.env, q.submitter, http.MethodPost, "/api/v2/applications", body).WantError(http.StatusBadRequest, "7000")
	if got := res.FieldErrors(); got["payload.amount"] != "7000" {
		t.Fatalf("field errors %v, want payload.amount; body: %s", got, res.Body)
	}
	api(q.env, q.submitter, http.MethodPost, "/api/v2/applications", body+"x").WantError(http.StatusBadRequest, "7000")
	var n int
	if err := q.env.Store.DB().Get(&n, `SELECT count(*) FROM client_requests`); err != nil || n != 0 {
		t.Fatalf("%d requests filed (%v), want 0", n, err)
	}
}
