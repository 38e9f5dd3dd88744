package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store"
)

func TestBulkBlockListsEachCard(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal", "GTQ")
	env, p := fx.Env, fx.Partner
	other := env.Partner("Andes", "USD")
	op := env.Operator("ana@example.com", true, apptest.Grant{Partner: p, Roles: []string{"maker"}}).Login()
	ctx := context.Background()
	sys := store.SystemActor("test")
	holder := chCreate(t, env, p, chPerson("María", "Ramírez", "maria@example.com", "50255551234", "DPI", "2345678901234"))
	foreignHolder := chCreate(t, env, other, chPerson("Juan", "Otro", "juan@example.com", "50255559999", "DPI", "2345678901236"))
	active := chFirstCard(t, env, p, holder)
	activeToo := chStock(t, env, p, 2)
	blocked, inactive := activeToo[0], activeToo[1]
	for _, c := range []int64{blocked, inactive} {
		if _, err := env.Store.AssignCard(ctx, sys, p, holder, c); err != nil {
			t.Fatal(err)
		}
	}
	for _, step := range []struct {
		card   int64
		action store.CardAction
	}{{active, store.ActivateCard}, {blocked, store.ActivateCard}, {blocked, store.BlockCard}} {
		if _, err := env.Store.ChangeCardStatus(ctx, sys, p, 0, step.card, step.action); err != nil {
			t.Fatal(err)
		}
	}
	foreign := chFirstCard(t, env, other, foreignHolder)
	path := "/cms/rest/app/partners/" + itoa(p) + "/cardholders/cards/block"

	res := op.Do(http.MethodPatch, path, map[string]any{"cardIds": []int64{active, blocked, inactive, foreign, 424242, active}, "otp": op.OTP()}).
		WantStatus(http.StatusOK)
	var out struct {
		Data store.BulkResult
	}
	res.Decode(&out)
	r := out.Data
	if r.Changed != 1 || r.Unchanged != 1 || r.Failed != 3 || len(r.Results) != 5 || r.Action != store.BlockCard {
		t.Fatalf("counts: %s", res.Body)
	}
	want := []store.BulkOutcome{
		{CardID: active, Result: store.BulkChanged, Status: store.CardBlocked},
		{CardID: blocked, Result: store.BulkUnchanged, Status: store.CardBlocked},
		{CardID: inactive, Result: store.BulkFailed, Status: store.CardInactive, Code: store.CodeInvalidStatusCard},
		{CardID: foreign, Result: store.BulkFailed, Code: store.CodeCardNotFound},
		{CardID: 424242, Result: store.BulkFailed, Code: store.CodeCardNotFound},
	}
	for i, w := range want {
		g := r.Results[i]
		if g.CardID != w.CardID || g.Result != w.Result || g.Status != w.Status || g.Code != w.Code || (w.Result != store.BulkChanged && g.Reason == "") {
			t.Errorf("result %d = %+v, want %+v", i, g, w)
		}
	}
	for card, st := range map[int64]string{active: store.CardBlocked, blocked: store.CardBlocked, inactive: store.CardInactive} {
		if got := chStatus(t, env, p, card); got != st {
			t.Errorf("card %d is %s, want %s", card, got, st)
		}
	}
	if got := chStatus(t, env, other, foreign); got != store.CardInactive {
		t.Fatalf("another partner's card is %s", got)
	}
	if chAudit(t, env, "card.block", itoa(active)) != 1 || chAuditActions(t, env, "card.bulk_block") != 1 {
		t.Fatal("bulk block not audited")
	}

	res = op.Do(http.MethodPatch, "/cms/rest/app/partners/"+itoa(p)+"/cardholders/cards/unblock",
		map[string]any{"cardIds": []int64{active, blocked, inactive}, "otp": op.OTP()}).WantStatus(http.StatusOK)
	res.Decode(&out)
	if out.Data.Changed != 2 || out.Data.Failed != 1 || out.Data.Results[2].Code != store.CodeInvalidStatusCard {
		t.Fatalf("unblock: %s", res.Body)
	}
}

func TestBulkNeedsAnOTPEveryTime(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal", "GTQ")
	env, p := fx.Env, fx.Partner
	// The partner does not require a second factor at sign-in, so a maker without an authenticator
	// can sign in; bulk actions still need a code.
	if err := env.Store.SetSecondFactorPolicy(context.Background(), store.SystemActor("t"), p, "OFF"); err != nil {
		t.Fatal(err)
	}
	op := env.Operator("ana@example.com", true, apptest.Grant{Partner: p, Roles: []string{"maker"}}).Login()
	noAuth := fx.Role("noauth", "maker")
	viewer := env.Operator("viewer@example.com", true, apptest.Grant{Partner: p, Roles: []string{"viewer"}}).Login()
	holder := chCreate(t, env, p, chPerson("María", "Ramírez", "maria@example.com", "50255551234", "DPI", "2345678901234"))
	card := chFirstCard(t, env, p, holder)
	if _, err := env.Store.ChangeCardStatus(context.Background(), store.SystemActor("t"), p, 0, card, store.ActivateCard); err != nil {
		t.Fatal(err)
	}
	path := "/cms/rest/app/partners/" + itoa(p) + "/cardholders/cards/block"
	body := func(otp string) map[string]any { return map[string]any{"cardIds": []int64{card}, "otp": otp} }

	// Even an operator without cards-admin:otp must give a code for a bulk action.
	op.Do(http.MethodPatch, path, body("")).WantError(http.StatusForbidden, "7007")
	noAuth.Do(http.MethodPatch, path, body("123456")).WantError(http.StatusForbidden, "7007")
	op.Do(http.MethodPatch, path, body("999999")).WantError(http.StatusForbidden, "7008")
	viewer.Do(http.MethodPatch, path, body(viewer.OTP())).WantError(http.StatusForbidden, "7005")
	code := op.OTP()
	op.Do(http.MethodPatch, path, body(code)).WantStatus(http.StatusOK)
	op.Do(http.MethodPatch, strings.Replace(path, "/block", "/unblock", 1), body(code)).WantError(http.StatusForbidden, "7008")
	if got := chStatus(t, env, p, card); got != store.CardBlocked {
		t.Fatalf("card %s", got)
	}

	// An empty, oversized or malformed selection is refused before the code is spent.
	spare := op.OTP()
	for name, b := range map[string]map[string]any{
		"no cards":       {"cardIds": []int64{}},
		"too many cards": {"cardIds": make([]int64, store.MaxBulkCards+1)},
		"a bad id":       {"cardIds": []int64{card, -1}},
	} {
		b["otp"] = spare
		res := op.Do(http.MethodPatch, path, b).WantError(http.StatusBadRequest, "7000")
		if _, ok := res.FieldErrors()["cardIds"]; !ok {
			t.Errorf("%s: %s", name, res.Body)
		}
	}
	op.Do(http.MethodPatch, strings.Replace(path, "/block", "/unblock", 1), body(spare)).WantStatus(http.StatusOK)
	op.Do(http.MethodPatch, path, `{"cardIds": "1,2"}`).WantError(http.StatusBadRequest, "7000")
}

func TestPartnerCardsScreen(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal", "GTQ")
	env, p := fx.Env, fx.Partner
	other := env.Partner("Andes", "USD")
	otpOp := env.Operator("ana@example.com", true, apptest.Grant{Partner: p, Roles: []string{"admin"}})
	op := otpOp.Login()
	holder := chCreate(t, env, p, chPerson("María", "Ramírez", "maria@example.com", "50255551234", "DPI", "2345678901234"))
	card := chFirstCard(t, env, p, holder)
	if _, err := env.Store.ChangeCardStatus(context.Background(), store.SystemActor("t"), p, 0, card, store.ActivateCard); err != nil {
		t.Fatal(err)
	}
	stock := chStock(t, env, p, 3)
	chStock(t, env, other, 2)
	base := "/cms/rest/app/partners/" + itoa(p) + "/cards"

	res := op.Do(http.MethodGet, base, nil).WantStatus(http.StatusOK)
	d := res.Data()
	if d["total"] != float64(4) || len(d["items"].([]any)) != 4 {
		t.Fatalf("cards: %s", res.Body)
	}
	first := d["items"].([]any)[0].(map[string]any)
	if first["id"] != float64(stock[2]) || first["last4"] == nil || first["bin"] != "459876" || first["cardholderId"] != nil {
		t.Fatalf("newest first, masked: %v", first)
	}
	res = op.Do(http.MethodGet, base+"?status=active", nil).WantStatus(http.StatusOK)
	if d := res.Data(); d["total"] != float64(1) {
		t.Fatalf("ACTIVE filter: %s", res.Body)
	}
	op.Do(http.MethodGet, base+"?status=LOST", nil).WantError(http.StatusBadRequest, "7000")
	res = op.Do(http.MethodGet, base+"?limit=2&page=2", nil).WantStatus(http.StatusOK)
	if d := res.Data(); len(d["items"].([]any)) != 2 || d["page"] != float64(2) {
		t.Fatalf("page 2: %s", res.Body)
	}

	b := env.SignIn("ana@example.com")
	page := b.Page(http.MethodGet, base, nil).WantStatus(http.StatusOK)
	page.WantSelectors(`[data-testid="issue-cards-form"]`, `[data-testid="bulk-block"]`, `[data-testid="select-card-`+itoa(card)+`"]`, `[data-testid="cards-status-filter"]`).WantHTML(`hx-confirm="Block the selected cards?"`)
	part := b.HTMX(http.MethodGet, base+"?status=BLOCKED", nil).WantStatus(http.StatusOK)
	if part.IsPage() {
		t.Fatal("HTMX got the page")
	}
	part.WantSelectors(`[id="cards-table"]`).WantHTML("No blocked cards.")

	form := url.Values{"cardIds": {itoa(card), itoa(stock[0])}, "otp": {otpOp.OTP()}, "status": {""}}
	bulk := b.HTMX(http.MethodPatch, "/cms/rest/app/partners/"+itoa(p)+"/cardholders/cards/block", form).WantStatus(http.StatusOK)
	bulk.WantSelectors(`[data-testid="bulk-results"]`).WantHTML(`data-testid="bulk-outcome-`+itoa(card)+`">changed`, `data-testid="bulk-outcome-`+itoa(stock[0])+`">failed`, `hx-swap-oob="true"`, "1 changed, 0 already in that state, 1 failed")
	form.Set("otp", otpOp.OTP())
	full := b.Page(http.MethodPatch, "/cms/rest/app/partners/"+itoa(p)+"/cardholders/cards/unblock", form).WantStatus(http.StatusOK)
	if !full.IsPage() {
		t.Fatal("plain post: not a page")
	}
	full.WantHTML(`data-testid="bulk-outcome-` + itoa(card) + `">changed`)

	env.Operator("viewer@example.com", false, apptest.Grant{Partner: p, Roles: []string{"viewer"}})
	v := env.SignIn("viewer@example.com")
	vp := string(v.Page(http.MethodGet, base, nil).WantStatus(http.StatusOK).Body)
	if strings.Contains(vp, "bulk-block") || strings.Contains(vp, "issue-cards-form") {
		t.Fatal("a viewer is offered bulk actions or issuing")
	}
}
