package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store"
)

func TestThirdPartyCards(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal", "GTQ")
	env, p := fx.Env, fx.Partner
	other := env.Partner("Andes", "USD")
	maker := fx.Role("maker", "maker")
	viewer := fx.Role("viewer", "viewer")
	maria := chCreate(t, env, p, chPerson("María", "Ramírez", "maria@example.com", "50255551234", "DPI", "2345678901234"))
	jose := chCreate(t, env, p, chPerson("José", "López", "jose@example.com", "50255550000", "DPI", "2345678901235"))
	foreignHolder := chCreate(t, env, other, chPerson("Juan", "Otro", "juan@example.com", "50255559999", "DPI", "2345678901236"))
	path := fmt.Sprintf("/cms/rest/app/partners/%d/cardholders/%d/cards/association", p, maria)

	res := maker.Do(http.MethodPost, path, map[string]string{"email": "user@example.com", "suffix": "4321", "alias": "Personal Visa"}).
		WantStatus(http.StatusCreated)
	if d := res.Data(); d["suffix"] != "4321" || d["alias"] != "Personal Visa" || d["email"] != "user@example.com" {
		t.Fatalf("linked %s", res.Body)
	}
	// The same card again, whatever the case of the email: 409 7221.
	res = maker.Do(http.MethodPost, path, map[string]string{"email": "USER@example.com", "suffix": "4321", "alias": "Again"}).
		WantError(http.StatusConflict, "7221")
	if res.FieldErrors()["suffix"] != "7221" {
		t.Fatalf("duplicate: %s", res.Body)
	}
	// Another suffix, another email, or another cardholder is another link.
	maker.Do(http.MethodPost, path, map[string]string{"email": "user@example.com", "suffix": "9999", "alias": "Débito de mamá"}).WantStatus(http.StatusCreated)
	maker.Do(http.MethodPost, path, map[string]string{"email": "other@example.com", "suffix": "4321", "alias": strings.Repeat("á", 50)}).WantStatus(http.StatusCreated)
	maker.Do(http.MethodPost, fmt.Sprintf("/cms/rest/app/partners/%d/cardholders/%d/cards/association", p, jose),
		map[string]string{"email": "user@example.com", "suffix": "4321", "alias": "Visa"}).WantStatus(http.StatusCreated)

	for name, tc := range map[string]struct {
		body  map[string]any
		field string
	}{
		"suffix of 3 digits":  {map[string]any{"email": "a@example.com", "suffix": "123", "alias": "x"}, "suffix"},
		"suffix of 5 digits":  {map[string]any{"email": "a@example.com", "suffix": "12345", "alias": "x"}, "suffix"},
		"suffix with letters": {map[string]any{"email": "a@example.com", "suffix": "12a4", "alias": "x"}, "suffix"},
		"suffix as number":    {map[string]any{"email": "a@example.com", "suffix": 12, "alias": "x"}, "suffix"},
		"alias missing":       {map[string]any{"email": "a@example.com", "suffix": "1234", "alias": "  "}, "alias"},
		"alias too long":      {map[string]any{"email": "a@example.com", "suffix": "1234", "alias": strings.Repeat("a", 51)}, "alias"},
		"email invalid":       {map[string]any{"email": "a@", "suffix": "1234", "alias": "x"}, "email"},
		"email wrong type":    {map[string]any{"email": []string{"a@example.com"}, "suffix": "1234", "alias": "x"}, "email"},
	} {
		res := maker.Do(http.MethodPost, path, tc.body).WantError(http.StatusBadRequest, "7000")
		if got := res.FieldErrors(); len(got) != 1 || got[tc.field] != "7000" {
			t.Errorf("%s: %s", name, res.Body)
		}
	}
	res = maker.Do(http.MethodPost, path, map[string]any{}).WantError(http.StatusBadRequest, "7000")
	if len(res.FieldErrors()) != 3 {
		t.Fatalf("empty body: %s", res.Body)
	}

	list := viewer.Do(http.MethodGet, path, nil).WantStatus(http.StatusOK)
	var linked struct{ Data []store.ThirdPartyCard }
	list.Decode(&linked)
	if len(linked.Data) != 3 || linked.Data[0].Suffix != "4321" || linked.Data[1].Alias != "Débito de mamá" {
		t.Fatalf("list: %s", list.Body)
	}
	all := viewer.Do(http.MethodGet, fmt.Sprintf("/cms/rest/app/partners/%d/cardholders/%d/cards", p, maria), nil).WantStatus(http.StatusOK)
	var cards struct{ Data []store.CardholderCard }
	all.Decode(&cards)
	if len(cards.Data) != 4 || cards.Data[0].Ownership != store.OwnershipOwned || cards.Data[0].Status != store.CardInactive ||
		cards.Data[1].Ownership != store.OwnershipThirdParty || cards.Data[1].MaskedNumber != "************4321" || cards.Data[1].Status != "" {
		t.Fatalf("all cards: %s", all.Body)
	}

	viewer.Do(http.MethodPost, path, map[string]string{"email": "v@example.com", "suffix": "1111", "alias": "x"}).WantError(http.StatusForbidden, "7005")
	foreign := fmt.Sprintf("/cms/rest/app/partners/%d/cardholders/%d/cards/association", p, foreignHolder)
	maker.Do(http.MethodPost, foreign, map[string]string{"email": "v@example.com", "suffix": "1111", "alias": "x"}).WantError(http.StatusNotFound, "7100")
	maker.Do(http.MethodGet, foreign, nil).WantError(http.StatusNotFound, "7100")
	maker.Do(http.MethodGet, fmt.Sprintf("/cms/rest/app/partners/%d/cardholders/%d/cards", p, foreignHolder), nil).WantError(http.StatusNotFound, "7100")

	// The console's associate form.
	b := env.SignIn("maker@example.com")
	bad := b.HTMX(http.MethodPost, path, url.Values{"email": {"x@example.com"}, "suffix": {"12"}, "alias": {"Mi tarjeta"}}).
		WantStatus(http.StatusUnprocessableEntity)
	bad.WantSelectors(`[id="third-party-cards"]`, `[data-testid="error-suffix"]`).WantHTML(`value="Mi tarjeta"`)
	dup := b.HTMX(http.MethodPost, path, url.Values{"email": {"user@example.com"}, "suffix": {"4321"}, "alias": {"Dup"}}).
		WantStatus(http.StatusUnprocessableEntity)
	dup.WantHTML("already linked")
	ok := b.HTMX(http.MethodPost, path, url.Values{"email": {"x@example.com"}, "suffix": {"1212"}, "alias": {"Mi tarjeta"}}).
		WantStatus(http.StatusCreated)
	ok.WantHTML("Linked Mi tarjeta (************1212)")
	if ok.IsPage() {
		t.Fatal("HTMX got the page")
	}
	page := b.Page(http.MethodGet, path, nil).WantStatus(http.StatusOK)
	if !page.IsPage() {
		t.Fatal("the association list opened in a browser is not a page")
	}
	page.WantHTML("Mi tarjeta")
	full := b.Page(http.MethodPost, path, url.Values{"email": {"y@example.com"}, "suffix": {"3434"}, "alias": {"Otra"}}).WantStatus(http.StatusCreated)
	if !full.IsPage() {
		t.Fatal("plain post: not a page")
	}
}
