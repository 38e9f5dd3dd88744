package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"cardconsole/store"
)

func TestCloseCardholderRefusedWhileCardsHoldMoney(t *testing.T) {
	t.Parallel()
	w := newLifeWorld(t)
	w.load(w.card.ID, "100")
	path := w.holderPath("/close")
	w.closer.Do(http.MethodPatch, path, map[string]any{"reason": "client asked"}).WantError(http.StatusForbidden, "7007")
	res := w.closer.Do(http.MethodPatch, path, map[string]any{"reason": "client asked", "otp": w.closer.OTP()}).
		WantError(http.StatusConflict, "7102")
	if !strings.Contains(string(res.Body), "100.00") {
		t.Fatalf("the refusal does not say how much is left: %s", res.Body)
	}
	w.wantBalance(w.card.ID, "100")
	if w.cardStatus(w.card.ID) != store.CardActive {
		t.Fatal("a refused closing changed the card")
	}
	ch, err := w.env.Store.ReadCardholder(context.Background(), store.SystemActor("test"), w.partner, w.holder)
	if err != nil || ch.Status != store.CardholderActive {
		t.Fatalf("cardholder %+v %v", ch, err)
	}
	w.wantTotal()
}

func TestCloseCardholderWithUnloadConservesMoney(t *testing.T) {
	t.Parallel()
	w := newLifeWorld(t)
	w.load(w.card.ID, "100.1234")
	w.load(w.second.ID, "50")
	w.wantPartnerBalance("849.8766")
	res := w.closer.Do(http.MethodPatch, w.holderPath("/close"),
		map[string]any{"reason": "client asked", "unloadBalances": true, "otp": w.closer.OTP()})
	res.WantStatus(http.StatusOK)
	d := res.Data()
	if fmt.Sprint(d["unloadedAmount"]) != "150.1234" || d["cardholder"].(map[string]any)["status"] != store.CardholderClosed {
		t.Fatalf("closing: %s", res.Body)
	}
	w.wantBalance(w.card.ID, "0")
	w.wantBalance(w.second.ID, "0")
	w.wantPartnerBalance("1000")
	w.wantTotal()
	for _, c := range []int64{w.card.ID, w.second.ID} {
		if w.cardStatus(c) != store.CardCanceled {
			t.Fatalf("card %d is %s after the closing", c, w.cardStatus(c))
		}
	}
	// Read-only from now on.
	w.closer.Do(http.MethodPatch, w.holderPath("/close"), map[string]any{"reason": "again", "otp": w.closer.OTP()}).
		WantError(http.StatusConflict, "7101")
	w.maker.Do(http.MethodPatch, w.holderPath(""), map[string]any{"phoneNumber": "50255559999"}).WantError(http.StatusConflict, "7101")
	w.maker.Do(http.MethodPatch, w.cardPath(w.card.ID, "/cancel"), map[string]any{"reason": "LOST"}).WantError(http.StatusConflict, "7101")
	w.maker.Do(http.MethodPost, w.holderPath("/cards/funds/add"), map[string]any{"cardId": w.card.ID, "amount": "1"}).
		WantError(http.StatusConflict, "7213")
	// Lists hide closed cardholders unless asked for them.
	list := func(query string) []any {
		res := w.maker.Do(http.MethodGet, w.partnerPath("/cardholders"+query), nil)
		res.WantStatus(http.StatusOK)
		return res.Data()["items"].([]any)
	}
	if items := list(""); len(items) != 0 {
		t.Fatalf("a closed cardholder is listed by default: %v", items)
	}
	if items := list("?status=CLOSED"); len(items) != 1 || items[0].(map[string]any)["status"] != store.CardholderClosed {
		t.Fatalf("status=CLOSED: %v", items)
	}
	if items := list("?status=ALL"); len(items) != 1 {
		t.Fatalf("status=ALL: %v", items)
	}
	if chAudit(t, w.env, "cardholder.close", itoa(w.holder)) != 1 {
		t.Fatal("the closing is not audited once")
	}
}

func TestUpdateCardholder(t *testing.T) {
	t.Parallel()
	w := newLifeWorld(t)
	chCreate(t, w.env, w.partner, chPerson("José", "López", "jose@example.com", "50255550000", "DPI", "2345678901235"))
	path := w.holderPath("")
	res := w.maker.Do(http.MethodPatch, path, map[string]any{"phoneNumber": " 50255551111 ", "email": "ANA.NEW@Example.com"})
	res.WantStatus(http.StatusOK)
	if d := res.Data(); d["phoneNumber"] != "50255551111" || d["email"] != "ana.new@example.com" || d["name"] != "Ana" {
		t.Fatalf("update: %s", res.Body)
	}
	// The same rules as creating: every bad field at once, and the document unique in the partner.
	errs := w.maker.Do(http.MethodPatch, path, map[string]any{"email": "nope", "gender": "X", "cardId": 3}).
		WantError(http.StatusBadRequest, "7000").FieldErrors()
	for _, f := range []string{"email", "gender", "cardId"} {
		if errs[f] == "" {
			t.Fatalf("no error on %s: %v", f, errs)
		}
	}
	w.maker.Do(http.MethodPatch, path, map[string]any{"documentType": "DPI", "documentNumber": "2345678901235"}).
		WantError(http.StatusConflict, "7011")
	// The audit row names the changed fields and masks their values.
	var after string
	if err := w.env.Store.DB().Get(&after, `SELECT after::text FROM audit_log WHERE action = 'cardholder.update' AND object_id = $1`,
		itoa(w.holder)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(after, `"phoneNumber"`) || !strings.Contains(after, `"email"`) || strings.Contains(after, "50255551111") ||
		strings.Contains(after, "ana.new") {
		t.Fatalf("audit of the edit: %s", after)
	}
	// An operator holding cardholders:otp needs a code.
	otpOp := w.env.Operator("otp@example.com", true, roleGrant(w.partner, "maker", "cardholders:otp")).Login()
	otpOp.Do(http.MethodPatch, path, map[string]any{"address": "Avenida 2"}).WantError(http.StatusForbidden, "7007")
	otpOp.Do(http.MethodPatch, path, map[string]any{"address": "Avenida 2", "otp": otpOp.OTP()}).WantStatus(http.StatusOK)
}
