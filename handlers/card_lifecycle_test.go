package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store"
)

// chFirstCard is the id of the cardholder's first card.
func chFirstCard(t testing.TB, env *apptest.Env, partnerID, cardholderID int64) int64 {
	t.Helper()
	cards, err := env.Store.OwnedCards(context.Background(), partnerID, cardholderID)
	if err != nil || len(cards) == 0 {
		t.Fatalf("cards of %d: %v %v", cardholderID, cards, err)
	}
	return cards[0].ID
}

// chLongDigits finds a run of digits as long as a card number.
var chLongDigits = regexp.MustCompile(`[0-9]{12,}`)

func chStatus(t testing.TB, env *apptest.Env, partnerID, cardID int64) string {
	t.Helper()
	c, err := env.Store.CardByID(context.Background(), partnerID, cardID)
	if err != nil {
		t.Fatal(err)
	}
	return c.Status
}

func TestCardLifecycle(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal", "GTQ")
	env, p := fx.Env, fx.Partner
	op := fx.Role("ana", "maker")
	holder := chCreate(t, env, p, chPerson("María", "Ramírez", "maria@example.com", "50255551234", "DPI", "2345678901234"))
	card := chFirstCard(t, env, p, holder)
	long := func(a string) string {
		return fmt.Sprintf("/cms/rest/app/partners/%d/cardholders/%d/cards/%d/%s", p, holder, card, a)
	}
	short := func(a string) string { return fmt.Sprintf("/cms/rest/app/partners/%d/cards/%d/%s", p, card, a) }

	steps := []struct {
		path   string
		status int
		want   string // card status afterwards
	}{
		{long("block"), http.StatusConflict, store.CardInactive},
		{long("unblock"), http.StatusConflict, store.CardInactive},
		{long("activate"), http.StatusOK, store.CardActive},
		{long("activate"), http.StatusConflict, store.CardActive},
		{short("unblock"), http.StatusConflict, store.CardActive},
		{long("block"), http.StatusOK, store.CardBlocked},
		{short("block"), http.StatusConflict, store.CardBlocked},
		{long("activate"), http.StatusConflict, store.CardBlocked},
		{short("unblock"), http.StatusOK, store.CardActive},
		{short("block"), http.StatusOK, store.CardBlocked},
		{long("unblock"), http.StatusOK, store.CardActive},
	}
	for i, s := range steps {
		res := op.Do(http.MethodPatch, s.path, nil)
		if s.status == http.StatusOK {
			res.WantStatus(http.StatusOK)
			if d := res.Data(); d["status"] != s.want || d["id"] != float64(card) {
				t.Fatalf("step %d: %s", i, res.Body)
			}
		} else {
			res.WantError(s.status, "7213")
		}
		if got := chStatus(t, env, p, card); got != s.want {
			t.Fatalf("step %d (%s): card is %s, want %s", i, s.path, got, s.want)
		}
	}
	for action, want := range map[string]int{"card.activate": 1, "card.block": 2, "card.unblock": 2} {
		if n := chAudit(t, env, action, itoa(card)); n != want {
			t.Errorf("%d %s audit rows, want %d", n, action, want)
		}
	}
	if body := op.Do(http.MethodPatch, long("block"), nil).Body; chLongDigits.Match(body) {
		t.Fatalf("a card number appeared unmasked: %s", body)
	}
}

func TestCardLifecycleScope(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal", "GTQ")
	env, p := fx.Env, fx.Partner
	other := env.Partner("Andes", "USD")
	op := env.Operator("ana@example.com", false, apptest.Grant{Partner: p, Roles: []string{"maker"}},
		apptest.Grant{Partner: other, Roles: []string{"maker"}}).Login()
	maria := chCreate(t, env, p, chPerson("María", "Ramírez", "maria@example.com", "50255551234", "DPI", "2345678901234"))
	jose := chCreate(t, env, p, chPerson("José", "López", "jose@example.com", "50255550000", "DPI", "2345678901235"))
	foreignHolder := chCreate(t, env, other, chPerson("Juan", "Otro", "juan@example.com", "50255559999", "DPI", "2345678901236"))
	joseCard := chFirstCard(t, env, p, jose)
	foreignCard := chFirstCard(t, env, other, foreignHolder)
	stock := chStock(t, env, p, 1)[0]
	base := fmt.Sprintf("/cms/rest/app/partners/%d", p)

	// Another cardholder's card through María, another partner's card through this partner: not found.
	op.Do(http.MethodPatch, fmt.Sprintf("%s/cardholders/%d/cards/%d/activate", base, maria, joseCard), nil).WantError(http.StatusNotFound, "7200")
	op.Do(http.MethodPatch, fmt.Sprintf("%s/cardholders/%d/cards/%d/activate", base, foreignHolder, foreignCard), nil).WantError(http.StatusNotFound, "7200")
	op.Do(http.MethodPatch, fmt.Sprintf("%s/cards/%d/activate", base, foreignCard), nil).WantError(http.StatusNotFound, "7200")
	op.Do(http.MethodPatch, fmt.Sprintf("%s/cards/%d/activate", base, 999999), nil).WantError(http.StatusNotFound, "7200")
	op.Do(http.MethodPatch, base+"/cards/x/activate", nil).WantError(http.StatusNotFound, "7200")
	op.Do(http.MethodPatch, fmt.Sprintf("%s/cardholders/x/cards/%d/activate", base, joseCard), nil).WantError(http.StatusNotFound, "7100")
	for _, c := range []int64{joseCard, foreignCard} {
		if got := chStatus(t, env, map[int64]int64{joseCard: p, foreignCard: other}[c], c); got != store.CardInactive {
			t.Fatalf("card %d changed to %s", c, got)
		}
	}
	// A stock card has nobody to be activated for.
	res := op.Do(http.MethodPatch, fmt.Sprintf("%s/cards/%d/activate", base, stock), nil).WantError(http.StatusConflict, "7213")
	if !strings.Contains(string(res.Body), "not assigned") {
		t.Fatalf("reason: %s", res.Body)
	}

	// Each action needs its own permission.
	activator := env.Operator("act@example.com", false, apptest.Grant{Partner: p, Permissions: []string{"cards-admin:activate"}}).Login()
	activator.Do(http.MethodPatch, fmt.Sprintf("%s/cards/%d/activate", base, joseCard), nil).WantStatus(http.StatusOK)
	activator.Do(http.MethodPatch, fmt.Sprintf("%s/cards/%d/block", base, joseCard), nil).WantError(http.StatusForbidden, "7005")
	activator.Do(http.MethodPatch, fmt.Sprintf("/cms/rest/app/partners/%d/cards/%d/activate", other, foreignCard), nil).WantError(http.StatusForbidden, "7005")
}

func TestCardLifecycleOTP(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal", "GTQ")
	env, p := fx.Env, fx.Partner
	op := env.Operator("ana@example.com", true, apptest.Grant{Partner: p, Roles: []string{"maker"}, Permissions: []string{"cards-admin:otp"}}).Login()
	holder := chCreate(t, env, p, chPerson("María", "Ramírez", "maria@example.com", "50255551234", "DPI", "2345678901234"))
	card := chFirstCard(t, env, p, holder)
	path := fmt.Sprintf("/cms/rest/app/partners/%d/cardholders/%d/cards/%d/activate", p, holder, card)

	op.Do(http.MethodPatch, path, nil).WantError(http.StatusForbidden, "7007")
	op.Do(http.MethodPatch, path, map[string]string{"otp": "111111"}).WantError(http.StatusForbidden, "7008")
	code := op.OTP()
	op.Do(http.MethodPatch, path, map[string]string{"otp": code}).WantStatus(http.StatusOK)
	block := strings.Replace(path, "/activate", "/block", 1)
	op.Do(http.MethodPatch, block, map[string]string{"otp": code}).WantError(http.StatusForbidden, "7008")
	if got := chStatus(t, env, p, card); got != store.CardActive {
		t.Fatalf("a replayed code blocked the card: %s", got)
	}
}

func TestCardActionsInTheConsole(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal", "GTQ")
	env, p := fx.Env, fx.Partner
	env.Operator("ana@example.com", false, apptest.Grant{Partner: p, Roles: []string{"maker"}})
	b := env.SignIn("ana@example.com")
	holder := chCreate(t, env, p, chPerson("María", "Ramírez", "maria@example.com", "50255551234", "DPI", "2345678901234"))
	card := chFirstCard(t, env, p, holder)
	base := fmt.Sprintf("/cms/rest/app/partners/%d/cardholders/%d", p, holder)

	page := b.Page(http.MethodGet, base, nil).WantStatus(http.StatusOK)
	page.WantSelectors(`[data-testid="card-activate-`+itoa(card)+`"]`, `[data-testid="card-open-`+itoa(card)+`"]`).WantHTML(`hx-confirm="Activate card`, `href="`+base+`/cards/`+itoa(card)+`"`)
	part := b.HTMX(http.MethodPatch, fmt.Sprintf("%s/cards/%d/activate", base, card), url.Values{}).WantStatus(http.StatusOK)
	if part.IsPage() {
		t.Fatal("HTMX got the page")
	}
	part.WantSelectors(`[id="cards-panel"]`, `[data-testid="card-block-`+itoa(card)+`"]`).WantHTML("is now active")
	b.HTMX(http.MethodPatch, fmt.Sprintf("%s/cards/%d/activate", base, card), url.Values{}).WantStatus(http.StatusConflict)

	full := b.Page(http.MethodPatch, fmt.Sprintf("%s/cards/%d/block", base, card), url.Values{}).WantStatus(http.StatusSeeOther)
	if full.Header.Get("Location") != base {
		t.Fatalf("after a plain post: %q", full.Header.Get("Location"))
	}
	b.Page(http.MethodGet, base, nil).WantSelectors(`[data-testid="card-unblock-` + itoa(card) + `"]`).WantHTML("is now blocked")
}
