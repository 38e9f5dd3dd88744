package handlers_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"cardconsole/internal/apptest"
	"cardconsole/store/storetest"
)

func (w *fundsWorld) issuerDo(method string, cardID int64, body any) *apptest.Response {
	w.t.Helper()
	return w.env.Do(method, "/rest/cards/"+itoa(cardID)+"/funds", w.issuer, body)
}

func TestIssuerFundsPostAndPut(t *testing.T) {
	t.Parallel()
	w := newFundsWorld(t, "500")
	res := w.issuerDo(http.MethodPost, w.card.ID, map[string]any{"amount": 100.00, "operation": "ADD_FUNDS", "channel": "MOBILE",
		"reference": "TOPUP-2026-04-18-001", "currency": "GTQ", "description": "Loyalty reward",
		"customKeys": map[string]any{"campaign": "spring", "points": 12}}).WantStatus(http.StatusOK)
	d := res.Data()
	m := d["movements"].([]any)[0].(map[string]any)
	if d["balance"] != 100.0 || m["channel"] != "MOBILE" || m["reference"] != "TOPUP-2026-04-18-001" || m["description"] != "Loyalty reward" {
		t.Fatalf("POST answer: %s", res.Body)
	}
	if keys := m["customKeys"].(map[string]any); keys["campaign"] != "spring" || keys["points"] != 12.0 {
		t.Fatalf("customKeys: %v", m["customKeys"])
	}
	if actor := m["actor"].(map[string]any); actor["type"] != "APPLICATION" || actor["label"] != "issuer app" {
		t.Fatalf("actor: %v", actor)
	}
	res = w.issuerDo(http.MethodPut, w.card.ID, map[string]any{"amount": 50.00, "operation": "WITHDRAW_FUNDS",
		"reference": "WD-2026-04-18-001", "observations": "Manual adjustment"}).WantStatus(http.StatusOK)
	m = res.Data()["movements"].([]any)[0].(map[string]any)
	if m["type"] != "WITHDRAW_FUNDS" || m["channel"] != "ADJUSTMENT" || m["observations"] != "Manual adjustment" || res.Data()["balance"] != 50.0 {
		t.Fatalf("PUT answer: %s", res.Body)
	}
	w.wantPartnerBalance("450")
	w.issuerDo(http.MethodPut, w.card.ID, map[string]any{"amount": 50.0001, "operation": "WITHDRAW_FUNDS", "reference": "WD-2"}).
		WantError(http.StatusUnprocessableEntity, "7303")
	w.wantBalance(w.card.ID, "50")
	ledgerConsistent(t, w.env.Store)
}

func TestIssuerFundsValidationAndAccess(t *testing.T) {
	t.Parallel()
	w := newFundsWorld(t, "500")
	seq := 0
	ok := func() map[string]any {
		seq++
		return map[string]any{"amount": 1, "operation": "ADD_FUNDS", "channel": "WEB", "reference": "R-" + strconv.Itoa(seq)}
	}
	with := func(k string, v any) map[string]any {
		b := ok()
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
		return b
	}
	cases := []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"zero", with("amount", 0), 400, "7001"},
		{"negative", with("amount", "-1"), 400, "7001"},
		{"five decimals", with("amount", "0.00001"), 400, "7002"},
		{"huge", with("amount", "12345678901234567"), 400, "7002"},
		{"no amount", with("amount", nil), 400, "7000"},
		{"bad operation", with("operation", "STEAL_FUNDS"), 400, "7000"},
		{"no channel", with("channel", nil), 400, "7000"},
		{"no reference", with("reference", nil), 400, "7000"},
		{"long description", with("description", strings.Repeat("d", 51)), 400, "7000"},
		{"bad currency", with("currency", "gtq"), 400, "7000"},
		{"other currency", with("currency", "USD"), 400, "7000"},
		{"customKeys array", with("customKeys", []int{1}), 400, "7000"},
		{"not JSON", "amount=1", 400, "7000"},
	}
	for _, tc := range cases {
		res := w.issuerDo(http.MethodPost, w.card.ID, tc.body)
		if res.Status != tc.status || res.ErrorCode() != tc.code {
			t.Errorf("%s: %d %s, want %d %s", tc.name, res.Status, res.Body, tc.status, tc.code)
		}
	}
	w.issuerDo(http.MethodPost, w.card.ID, with("description", strings.Repeat("d", 50))).WantStatus(200)

	// Cards of partners the application does not serve are not found, like cards that do not exist.
	other := w.env.Partner("Other", "GTQ")
	storetest.CreditPartner(t, w.env.Store, other, "10")
	foreign := storetest.ActiveCard(t, w.env.Store, other, storetest.Cardholder(t, w.env.Store, other))
	w.issuerDo(http.MethodPost, foreign.ID, ok()).WantError(404, "7200")
	w.issuerDo(http.MethodPost, 999999, ok()).WantError(404, "7200")
	// Such a refusal is not kept under its reference: sent again for a card it serves, it applies.
	foreignBody := map[string]any{"amount": 1, "operation": "ADD_FUNDS", "channel": "ATM", "reference": "FOREIGN-1"}
	w.issuerDo(http.MethodPost, foreign.ID, foreignBody).WantError(404, "7200")
	if res := w.issuerDo(http.MethodPost, w.card.ID, foreignBody).WantStatus(200); res.Header.Get("Idempotent-Replayed") == "true" {
		t.Fatal("the reference of a refused card was kept")
	}
	w.env.Do(http.MethodGet, "/rest/cards/"+itoa(foreign.ID)+"/transfers/4/2026", w.issuer, nil).WantError(404, "7200")

	h := map[string]string{"Authorization": w.issuer["Authorization"]}
	w.env.Do(http.MethodPost, "/rest/cards/"+itoa(w.card.ID)+"/funds", h, ok()).WantError(401, "7004")
	h["x-application-id"] = "someone-else"
	w.env.Do(http.MethodPost, "/rest/cards/"+itoa(w.card.ID)+"/funds", h, ok()).WantError(404, "7200")
	w.env.Do(http.MethodPost, "/rest/cards/"+itoa(w.card.ID)+"/funds", map[string]string{"x-application-id": w.issuer["x-application-id"]}, ok()).
		WantError(401, "7004")
	// An operator token is not an application token.
	w.env.Do(http.MethodPost, "/rest/cards/"+itoa(w.card.ID)+"/funds",
		map[string]string{"Authorization": "Bearer " + w.maker.Token, "x-application-id": w.issuer["x-application-id"]}, ok()).WantError(401, "7004")
	w.wantBalance(w.card.ID, "2")
}

func TestIssuerReferenceAppliesOnce(t *testing.T) {
	t.Parallel()
	w := newFundsWorld(t, "500")
	body := map[string]any{"amount": "10.5", "operation": "ADD_FUNDS", "channel": "ATM", "reference": "REF-1",
		"customKeys": map[string]any{"b": 1, "a": 2}}
	first := w.issuerDo(http.MethodPost, w.card.ID, body).WantStatus(200)
	// Same body, keys reordered and amount written differently: a replay.
	again := w.issuerDo(http.MethodPost, w.card.ID, `{"customKeys":{"a":2,"b":1},"reference":"REF-1","channel":"ATM","operation":"ADD_FUNDS","amount":10.50}`).
		WantStatus(200)
	if string(first.Body) != string(again.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay:\n%s\n%s", first.Body, again.Body)
	}
	w.wantBalance(w.card.ID, "10.5")
	for name, b := range map[string]any{
		"other amount":    map[string]any{"amount": "10.6", "operation": "ADD_FUNDS", "channel": "ATM", "reference": "REF-1"},
		"other operation": map[string]any{"amount": "10.5", "operation": "WITHDRAW_FUNDS", "channel": "ATM", "reference": "REF-1", "customKeys": map[string]any{"b": 1, "a": 2}},
	} {
		if res := w.issuerDo(http.MethodPost, w.card.ID, b); res.Status != 409 || res.ErrorCode() != "7006" {
			t.Errorf("%s: %d %s", name, res.Status, res.Body)
		}
	}
	w.issuerDo(http.MethodPut, w.card.ID, map[string]any{"amount": "10.5", "operation": "ADD_FUNDS", "reference": "REF-1"}).WantError(409, "7006")
	w.issuerDo(http.MethodPost, w.second.ID, body).WantError(409, "7006")

	// A refused operation keeps its answer under the reference.
	wd := map[string]any{"amount": 100, "operation": "WITHDRAW_FUNDS", "channel": "ATM", "reference": "REF-2"}
	refused := w.issuerDo(http.MethodPost, w.card.ID, wd).WantError(422, "7303")
	w.issuerDo(http.MethodPost, w.card.ID, map[string]any{"amount": 200, "operation": "ADD_FUNDS", "channel": "ATM", "reference": "REF-3"}).WantStatus(200)
	replay := w.issuerDo(http.MethodPost, w.card.ID, wd).WantError(422, "7303")
	if string(replay.Body) != string(refused.Body) || replay.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("refusal replay:\n%s\n%s", refused.Body, replay.Body)
	}
	w.wantBalance(w.card.ID, "210.5")

	// A request refused before it ran (an invalid body) is not kept: corrected, it applies.
	w.issuerDo(http.MethodPost, w.card.ID, map[string]any{"amount": 0, "operation": "ADD_FUNDS", "channel": "ATM", "reference": "REF-4"}).WantError(400, "7001")
	w.issuerDo(http.MethodPost, w.card.ID, map[string]any{"amount": 1, "operation": "ADD_FUNDS", "channel": "ATM", "reference": "REF-4"}).WantStatus(200)

	// References belong to the application: another application may use the same one.
	otherApp := w.issuerHeaders("second app", w.partner)
	w.env.Do(http.MethodPost, "/rest/cards/"+itoa(w.card.ID)+"/funds", otherApp, body).WantStatus(200)
	w.wantBalance(w.card.ID, "222")
	ledgerConsistent(t, w.env.Store)
}

func TestIssuerFiftyIdenticalRequestsInParallelMoveMoneyOnce(t *testing.T) {
	t.Parallel()
	w := newFundsWorld(t, "1000")
	bodies := map[string]any{"amount": 7, "operation": "ADD_FUNDS", "channel": "MOBILE", "reference": "PAR-1"}
	const n = 50
	var wg sync.WaitGroup
	results := make([]*apptest.Response, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i] = w.issuerDo(http.MethodPost, w.card.ID, bodies)
		}()
	}
	close(start)
	wg.Wait()
	replays := 0
	for i, r := range results {
		if r.Status != 200 || string(r.Body) != string(results[0].Body) {
			t.Fatalf("request %d: %d %s (first: %s)", i, r.Status, r.Body, results[0].Body)
		}
		if r.Header.Get("Idempotent-Replayed") == "true" {
			replays++
		}
	}
	if replays != n-1 {
		t.Errorf("%d replays, want %d", replays, n-1)
	}
	if c := w.movementCount(w.card.ID); c != 1 {
		t.Fatalf("%d movements, want exactly 1", c)
	}
	w.wantBalance(w.card.ID, "7")
	w.wantPartnerBalance("993")

	// The same with a refusal: 50 parallel withdrawals of too much under one reference answer one 7303.
	wd := map[string]any{"amount": 8, "operation": "WITHDRAW_FUNDS", "channel": "MOBILE", "reference": "PAR-2"}
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = w.issuerDo(http.MethodPost, w.card.ID, wd)
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r.Status != 422 || string(r.Body) != string(results[0].Body) {
			t.Fatalf("refused request %d: %d %s", i, r.Status, r.Body)
		}
	}
	var kept int
	if err := w.env.Store.DB().GetContext(context.Background(), &kept, `SELECT count(*) FROM idempotency_keys WHERE key = 'PAR-2'`); err != nil {
		t.Fatal(err)
	}
	if kept != 1 {
		t.Fatalf("%d kept replies for PAR-2", kept)
	}
	ledgerConsistent(t, w.env.Store)
}
