package handlers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"cardconsole/internal/apptest"
	"cardconsole/store"
	"cardconsole/store/storetest"
)

func TestCMSLoadUnloadAndTransfer(t *testing.T) {
	t.Parallel()
	w := newFundsWorld(t, "1000")
	res := w.maker.Do(http.MethodPost, w.holderPath("/cards/funds/add"),
		map[string]any{"cardId": w.card.ID, "amount": 150.0, "observations": "Monthly allowance"}).WantStatus(http.StatusOK)
	d := res.Data()
	if d["operation"] != "ADD_FUNDS" || d["balance"] != 150.0 || d["amount"] != 150.0 || d["currency"] != "GTQ" || d["cardId"] != float64(w.card.ID) {
		t.Fatalf("add funds answer: %s", res.Body)
	}
	m := d["movements"].([]any)[0].(map[string]any)
	for k, want := range map[string]any{"cardId": float64(w.card.ID), "type": "ADD_FUNDS", "direction": "CREDIT", "amount": 150.0,
		"currency": "GTQ", "balanceAfter": 150.0, "channel": "CMS", "description": "Monthly allowance", "observations": "Monthly allowance"} {
		if m[k] != want {
			t.Errorf("movement %s = %v, want %v", k, m[k], want)
		}
	}
	if actor := m["actor"].(map[string]any); actor["type"] != "OPERATOR" || actor["label"] != "maker@example.com" || actor["id"] != float64(w.maker.ID) {
		t.Errorf("movement actor = %v", actor)
	}
	for _, k := range []string{"id", "entryId", "reference", "customKeys", "counterpartCardId", "createdAt"} {
		if _, ok := m[k]; !ok {
			t.Errorf("movement lacks %s: %v", k, m)
		}
	}
	w.wantPartnerBalance("850")

	w.maker.Do(http.MethodPost, w.holderPath("/cards/funds/withdraw"), map[string]any{"cardId": w.card.ID, "amount": "25.1234"}).
		WantStatus(http.StatusOK)
	w.wantBalance(w.card.ID, "124.8766")
	w.wantPartnerBalance("875.1234")

	res = w.maker.Do(http.MethodPost, w.holderPath("/cards/transfers"),
		map[string]any{"fromCardId": w.card.ID, "toCardId": w.second.ID, "amount": 50, "observations": "Balance reallocation"}).
		WantStatus(http.StatusOK)
	d = res.Data()
	if d["operation"] != "TRANSFER" || d["balance"] != 74.8766 || d["toBalance"] != 50.0 || d["toCardId"] != float64(w.second.ID) {
		t.Fatalf("transfer answer: %s", res.Body)
	}
	movs := d["movements"].([]any)
	out, in := movs[0].(map[string]any), movs[1].(map[string]any)
	if out["type"] != "TRANSFER_OUT" || out["counterpartCardId"] != float64(w.second.ID) ||
		in["type"] != "TRANSFER_IN" || in["counterpartCardId"] != float64(w.card.ID) || out["entryId"] != in["entryId"] {
		t.Fatalf("transfer movements: %v", movs)
	}
	w.wantBalance(w.second.ID, "50")
	w.wantPartnerBalance("875.1234")
	ledgerConsistent(t, w.env.Store)

	var audits int
	if err := w.env.Store.DB().GetContext(context.Background(), &audits, `SELECT count(*) FROM audit_log
		WHERE action IN ('card.add_funds', 'card.withdraw_funds', 'card.transfer') AND actor_id = $1`, w.maker.ID); err != nil {
		t.Fatal(err)
	}
	if audits != 3 {
		t.Errorf("audit rows = %d, want 3", audits)
	}
}

func TestCMSFundsRulesAndCodes(t *testing.T) {
	t.Parallel()
	w := newFundsWorld(t, "100")
	ctx := context.Background()
	other := w.env.Partner("Other", "GTQ")
	otherHolder := storetest.Cardholder(t, w.env.Store, other)
	otherCard := storetest.ActiveCard(t, w.env.Store, other, otherHolder)
	sameHolderElsewhere := storetest.Cardholder(t, w.env.Store, w.partner)
	strangerCard := storetest.ActiveCard(t, w.env.Store, w.partner, sameHolderElsewhere)
	blocked := storetest.ActiveCard(t, w.env.Store, w.partner, w.holder)
	if _, err := w.env.Store.DB().ExecContext(ctx, `UPDATE cards SET status = 'BLOCKED' WHERE id = $1`, blocked.ID); err != nil {
		t.Fatal(err)
	}
	stock, err := w.env.Store.IssueCards(ctx, store.SystemActor("test"), w.partner, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.env.Store.DB().ExecContext(ctx, `UPDATE cards SET cardholder_id = $1 WHERE id = $2`, w.holder, stock[0].ID); err != nil {
		t.Fatal(err)
	}
	add := w.holderPath("/cards/funds/add")
	cases := []struct {
		name   string
		path   string
		body   any
		status int
		code   string
	}{
		{"zero amount", add, map[string]any{"cardId": w.card.ID, "amount": 0}, 400, "7001"},
		{"negative amount", add, map[string]any{"cardId": w.card.ID, "amount": -5}, 400, "7001"},
		{"five decimals", add, map[string]any{"cardId": w.card.ID, "amount": 1.00001}, 400, "7002"},
		{"exponent", add, `{"cardId": ` + itoa(w.card.ID) + `, "amount": 1e3}`, 400, "7002"},
		{"text amount", add, map[string]any{"cardId": w.card.ID, "amount": "ten"}, 400, "7002"},
		{"missing amount", add, map[string]any{"cardId": w.card.ID}, 400, "7000"},
		{"missing card", add, map[string]any{"amount": 1}, 400, "7000"},
		{"malformed body", add, `{"cardId":`, 400, "7000"},
		{"long note", add, map[string]any{"cardId": w.card.ID, "amount": 1, "observations": string(make([]byte, 300))}, 400, "7000"},
		{"other partner's card", add, map[string]any{"cardId": otherCard.ID, "amount": 1}, 404, "7200"},
		{"another cardholder's card", add, map[string]any{"cardId": strangerCard.ID, "amount": 1}, 404, "7200"},
		{"unknown card", add, map[string]any{"cardId": 999999, "amount": 1}, 404, "7200"},
		{"blocked card", add, map[string]any{"cardId": blocked.ID, "amount": 1}, 409, "7213"},
		{"inactive card", add, map[string]any{"cardId": stock[0].ID, "amount": 1}, 409, "7213"},
		{"partner short", add, map[string]any{"cardId": w.card.ID, "amount": "100.0001"}, 422, "7303"},
		{"card short", w.holderPath("/cards/funds/withdraw"), map[string]any{"cardId": w.card.ID, "amount": 1}, 422, "7303"},
		{"transfer to itself", w.holderPath("/cards/transfers"), map[string]any{"fromCardId": w.card.ID, "toCardId": w.card.ID, "amount": 1}, 400, "7000"},
		{"transfer to a blocked card", w.holderPath("/cards/transfers"), map[string]any{"fromCardId": w.card.ID, "toCardId": blocked.ID, "amount": 1}, 409, "7213"},
		{"transfer to another holder", w.holderPath("/cards/transfers"), map[string]any{"fromCardId": w.card.ID, "toCardId": strangerCard.ID, "amount": 1}, 404, "7200"},
		{"transfer short", w.holderPath("/cards/transfers"), map[string]any{"fromCardId": w.card.ID, "toCardId": w.second.ID, "amount": 1}, 422, "7303"},
	}
	for _, tc := range cases {
		res := w.maker.Do(http.MethodPost, tc.path, tc.body)
		if res.Status != tc.status || res.ErrorCode() != tc.code {
			t.Errorf("%s: %d %s, want %d %s", tc.name, res.Status, res.Body, tc.status, tc.code)
		}
	}
	w.wantPartnerBalance("100")
	if n := w.movementCount(w.card.ID); n != 0 {
		t.Fatalf("refused operations wrote %d movements", n)
	}
}

func TestCMSFundsPermissionsAndOTP(t *testing.T) {
	t.Parallel()
	w := newFundsWorld(t, "100")
	viewer := w.env.Operator("viewer@example.com", false, apptest.Grant{Partner: w.partner, Roles: []string{"viewer"}}).Login()
	viewer.Do(http.MethodPost, w.holderPath("/cards/funds/add"), map[string]any{"cardId": w.card.ID, "amount": 1}).WantError(403, "7005")
	viewer.Do(http.MethodPost, w.holderPath("/cards/funds/withdraw"), map[string]any{"cardId": w.card.ID, "amount": 1}).WantError(403, "7005")
	viewer.Do(http.MethodPost, w.holderPath("/cards/transfers"), map[string]any{"fromCardId": w.card.ID, "toCardId": w.second.ID, "amount": 1}).WantError(403, "7005")
	loader := w.env.Operator("loader@example.com", false, apptest.Grant{Partner: w.partner, Permissions: []string{"cards-admin:addFunds"}}).Login()
	loader.Do(http.MethodPost, w.holderPath("/cards/funds/add"), map[string]any{"cardId": w.card.ID, "amount": 1}).WantStatus(200)
	loader.Do(http.MethodPost, w.holderPath("/cards/funds/withdraw"), map[string]any{"cardId": w.card.ID, "amount": 1}).WantError(403, "7005")
	stranger := w.env.Operator("stranger@example.com", false, apptest.Grant{Partner: w.env.Partner("Else", "GTQ"), Roles: []string{"admin"}}).Login()
	stranger.Do(http.MethodPost, w.holderPath("/cards/funds/add"), map[string]any{"cardId": w.card.ID, "amount": 1}).WantError(403, "7005")

	guarded := w.env.Operator("guarded@example.com", true, apptest.Grant{Partner: w.partner, Roles: []string{"maker"},
		Permissions: []string{"cards-admin:otp"}}).Login()
	add := w.holderPath("/cards/funds/add")
	guarded.Do(http.MethodPost, add, map[string]any{"cardId": w.card.ID, "amount": 1}).WantError(403, "7007")
	guarded.Do(http.MethodPost, add, map[string]any{"cardId": w.card.ID, "amount": 1, "otp": "000000"}).WantError(403, "7008")
	code := guarded.OTP()
	guarded.Do(http.MethodPost, add, map[string]any{"cardId": w.card.ID, "amount": 1, "otp": code}).WantStatus(200)
	guarded.Do(http.MethodPost, add, map[string]any{"cardId": w.card.ID, "amount": 1, "otp": code}).WantError(403, "7008")
	guarded.Do(http.MethodPost, w.holderPath("/cards/transfers"),
		map[string]any{"fromCardId": w.card.ID, "toCardId": w.second.ID, "amount": 1}).WantError(403, "7007")
	w.wantBalance(w.card.ID, "2")

	// A retry of an applied request under its Idempotency-Key is answered without a new code.
	h := guarded.Headers()
	h["Idempotency-Key"] = "otp-retry-1"
	body := map[string]any{"cardId": w.card.ID, "amount": 3, "otp": guarded.OTP()}
	first := w.env.Do(http.MethodPost, add, h, body).WantStatus(200)
	body["otp"] = "123456"
	again := w.env.Do(http.MethodPost, add, h, body).WantStatus(200)
	if string(first.Body) != string(again.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry: %s / %s", first.Body, again.Body)
	}
	w.wantBalance(w.card.ID, "5")
}

func TestCMSIdempotencyKey(t *testing.T) {
	t.Parallel()
	w := newFundsWorld(t, "100")
	add := w.holderPath("/cards/funds/add")
	h := w.maker.Headers()
	h["Idempotency-Key"] = "load-2026-04-18-a"
	body := map[string]any{"cardId": w.card.ID, "amount": 40, "observations": "first"}
	first := w.env.Do(http.MethodPost, add, h, body).WantStatus(200)
	if first.Header.Get("Idempotent-Replayed") != "" {
		t.Fatal("a first request is not a replay")
	}
	// The amount written another way is the same request.
	again := w.env.Do(http.MethodPost, add, h, map[string]any{"cardId": w.card.ID, "amount": "40.00", "observations": "first"}).WantStatus(200)
	if string(again.Body) != string(first.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay differs:\n%s\n%s", first.Body, again.Body)
	}
	w.wantBalance(w.card.ID, "40")
	if n := w.movementCount(w.card.ID); n != 1 {
		t.Fatalf("%d movements, want 1", n)
	}
	w.env.Do(http.MethodPost, add, h, map[string]any{"cardId": w.card.ID, "amount": 41, "observations": "first"}).WantError(409, "7006")
	w.env.Do(http.MethodPost, w.holderPath("/cards/funds/withdraw"), h, map[string]any{"cardId": w.card.ID, "amount": 40, "observations": "first"}).WantError(409, "7006")

	// Keys belong to the operator: another operator's same key is another request.
	other := w.env.Operator("other@example.com", false, apptest.Grant{Partner: w.partner, Roles: []string{"maker"}}).Login()
	oh := other.Headers()
	oh["Idempotency-Key"] = "load-2026-04-18-a"
	w.env.Do(http.MethodPost, add, oh, body).WantStatus(200)
	w.wantBalance(w.card.ID, "80")

	// A refusal is kept too: the same request answers the same 7303 even once money arrived.
	h["Idempotency-Key"] = "withdraw-too-much"
	wd := map[string]any{"cardId": w.card.ID, "amount": 500}
	refused := w.env.Do(http.MethodPost, w.holderPath("/cards/funds/withdraw"), h, wd).WantError(422, "7303")
	w.maker.Do(http.MethodPost, w.holderPath("/cards/transfers"), map[string]any{"fromCardId": w.card.ID, "toCardId": w.second.ID, "amount": 1}).WantStatus(200)
	storetest.CreditPartner(t, w.env.Store, w.partner, "1000")
	w.maker.Do(http.MethodPost, add, map[string]any{"cardId": w.card.ID, "amount": 600}).WantStatus(200)
	replayed := w.env.Do(http.MethodPost, w.holderPath("/cards/funds/withdraw"), h, wd).WantError(422, "7303")
	if string(replayed.Body) != string(refused.Body) || replayed.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("refusal replay differs:\n%s\n%s", refused.Body, replayed.Body)
	}
	w.wantBalance(w.card.ID, "679")

	// A transfer under a key applies once.
	h["Idempotency-Key"] = "transfer-1"
	tr := map[string]any{"fromCardId": w.card.ID, "toCardId": w.second.ID, "amount": 9}
	a := w.env.Do(http.MethodPost, w.holderPath("/cards/transfers"), h, tr).WantStatus(200)
	b := w.env.Do(http.MethodPost, w.holderPath("/cards/transfers"), h, tr).WantStatus(200)
	if string(a.Body) != string(b.Body) {
		t.Fatal("transfer replay differs")
	}
	w.wantBalance(w.second.ID, "10")

	h["Idempotency-Key"] = strings.Repeat("k", 300)
	w.env.Do(http.MethodPost, add, h, body).WantError(400, "7000")
	ledgerConsistent(t, w.env.Store)
}
