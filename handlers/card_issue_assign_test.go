package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store"
)

func TestIssueStockCards(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal", "GTQ")
	env, p := fx.Env, fx.Partner
	other := env.Partner("Andes", "USD")
	admin := fx.Role("admin", "admin")
	maker := fx.Role("maker", "maker")
	path := "/cms/rest/app/partners/" + itoa(p) + "/cards"

	res := admin.Do(http.MethodPost, path, map[string]any{"count": 3}).WantStatus(http.StatusCreated)
	var out struct{ Data []store.Card }
	res.Decode(&out)
	if len(out.Data) != 3 {
		t.Fatalf("issued %s", res.Body)
	}
	for _, c := range out.Data {
		if c.Status != store.CardInactive || c.CardholderID != nil || c.PartnerID != p || c.Currency != "GTQ" || len(c.Last4) != 4 {
			t.Fatalf("issued card %+v", c)
		}
	}
	if chLongDigits.Match(res.Body) {
		t.Fatalf("unmasked number: %s", res.Body)
	}
	admin.Do(http.MethodPost, path, map[string]any{"count": "2"}).WantStatus(http.StatusCreated)
	for _, bad := range []any{0, -1, store.MaxIssue + 1, "many", 2.5, nil} {
		res := admin.Do(http.MethodPost, path, map[string]any{"count": bad}).WantError(http.StatusBadRequest, "7000")
		if _, ok := res.FieldErrors()["count"]; !ok {
			t.Errorf("count %v: %s", bad, res.Body)
		}
	}
	maker.Do(http.MethodPost, path, map[string]any{"count": 1}).WantError(http.StatusForbidden, "7005")
	admin.Do(http.MethodPost, "/cms/rest/app/partners/"+itoa(other)+"/cards", map[string]any{"count": 1}).WantError(http.StatusForbidden, "7005")
	var n int
	if err := env.Store.DB().Get(&n, `SELECT count(*) FROM cards WHERE partner_id = $1`, p); err != nil || n != 5 {
		t.Fatalf("%d cards (%v), want 5", n, err)
	}

	// The console: the form answers with the new cards and refreshes the table out of band.
	b := env.SignIn("admin@example.com")
	part := b.HTMX(http.MethodPost, path, url.Values{"count": {"2"}}).WantStatus(http.StatusCreated)
	part.WantSelectors(`[data-testid="issued-notice"]`, `[id="cards-table"]`).WantHTML("Issued 2 inactive cards", `hx-swap-oob="true"`)
	bad := b.HTMX(http.MethodPost, path, url.Values{"count": {"0"}}).WantStatus(http.StatusUnprocessableEntity)
	bad.WantSelectors(`[data-testid="error-count"]`)
	if bad.IsPage() {
		t.Fatal("HTMX got the page")
	}
	full := b.Page(http.MethodPost, path, url.Values{"count": {"1"}}).WantStatus(http.StatusCreated)
	if !full.IsPage() {
		t.Fatal("plain post: not a page")
	}
}

func TestAssignAnotherCard(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal", "GTQ")
	env, p := fx.Env, fx.Partner
	other := env.Partner("Andes", "USD")
	maker := fx.Role("maker", "maker")
	viewer := fx.Role("viewer", "viewer")
	maria := chCreate(t, env, p, chPerson("María", "Ramírez", "maria@example.com", "50255551234", "DPI", "2345678901234"))
	jose := chCreate(t, env, p, chPerson("José", "López", "jose@example.com", "50255550000", "DPI", "2345678901235"))
	foreignHolder := chCreate(t, env, other, chPerson("Juan", "Otro", "juan@example.com", "50255559999", "DPI", "2345678901236"))
	stock := chStock(t, env, p, 2)
	foreignStock := chStock(t, env, other, 1)[0]
	path := fmt.Sprintf("/cms/rest/app/partners/%d/cardholders/%d/cards", p, maria)

	res := maker.Do(http.MethodPost, path, map[string]any{"cardId": stock[0]}).WantStatus(http.StatusCreated)
	if d := res.Data(); d["id"] != float64(stock[0]) || d["status"] != store.CardInactive || d["cardholderId"] != float64(maria) {
		t.Fatalf("assigned %s", res.Body)
	}
	if chAudit(t, env, "card.assign", itoa(stock[0])) != 1 {
		t.Fatal("assignment not audited")
	}
	list := maker.Do(http.MethodGet, path, nil).WantStatus(http.StatusOK)
	var cards struct{ Data []store.CardholderCard }
	list.Decode(&cards)
	if len(cards.Data) != 2 || cards.Data[1].ID != stock[0] || cards.Data[1].Ownership != store.OwnershipOwned {
		t.Fatalf("María's cards: %s", list.Body)
	}

	// Already assigned (to her or to someone else), another partner's, or unknown: 409 7210.
	maker.Do(http.MethodPost, path, map[string]any{"cardId": stock[0]}).WantError(http.StatusConflict, "7210")
	maker.Do(http.MethodPost, path, map[string]any{"cardId": chFirstCard(t, env, p, jose)}).WantError(http.StatusConflict, "7210")
	maker.Do(http.MethodPost, path, map[string]any{"cardId": foreignStock}).WantError(http.StatusConflict, "7210")
	maker.Do(http.MethodPost, path, map[string]any{"cardId": 987654}).WantError(http.StatusConflict, "7210")
	if c, _ := env.Store.CardByID(context.Background(), other, foreignStock); c.CardholderID != nil {
		t.Fatal("another partner's card was assigned")
	}
	maker.Do(http.MethodPost, path, map[string]any{}).WantError(http.StatusBadRequest, "7000")
	maker.Do(http.MethodPost, path, map[string]any{"cardId": "x"}).WantError(http.StatusBadRequest, "7000")
	// A cardholder of another partner, or none at all.
	maker.Do(http.MethodPost, fmt.Sprintf("/cms/rest/app/partners/%d/cardholders/%d/cards", p, foreignHolder),
		map[string]any{"cardId": stock[1]}).WantError(http.StatusNotFound, "7100")
	maker.Do(http.MethodPost, fmt.Sprintf("/cms/rest/app/partners/%d/cardholders/%d/cards", other, foreignHolder),
		map[string]any{"cardId": foreignStock}).WantError(http.StatusForbidden, "7005")
	// Permission.
	viewer.Do(http.MethodPost, path, map[string]any{"cardId": stock[1]}).WantError(http.StatusForbidden, "7005")

	// The console's "Add card": the panel comes back with the new card, or with the reason next to the picker.
	b := env.SignIn("maker@example.com")
	part := b.HTMX(http.MethodPost, path, url.Values{"cardId": {itoa(stock[1])}}).WantStatus(http.StatusCreated)
	part.WantSelectors(`[id="cards-panel"]`, `[data-testid="card-row-`+itoa(stock[1])+`"]`, `[data-testid="card-activate-`+itoa(stock[1])+`"]`).WantHTML("added")
	bad := b.HTMX(http.MethodPost, path, url.Values{"cardId": {itoa(stock[1])}}).WantStatus(http.StatusUnprocessableEntity)
	bad.WantSelectors(`[data-testid="error-cardId"]`).WantHTML("not an unassigned card")
	full := b.Page(http.MethodPost, path, url.Values{"cardId": {itoa(stock[1])}}).WantStatus(http.StatusSeeOther)
	if full.Header.Get("Location") != fmt.Sprintf("/cms/rest/app/partners/%d/cardholders/%d", p, maria) {
		t.Fatalf("plain post went to %q", full.Header.Get("Location"))
	}
	cardsPage := b.Page(http.MethodGet, path, nil).WantStatus(http.StatusOK)
	if !cardsPage.IsPage() {
		t.Fatal("cards page")
	}
	cardsPage.WantSelectors(`[data-testid="card-row-`+itoa(stock[1])+`"]`, `[data-testid="third-party-panel"]`)
}
