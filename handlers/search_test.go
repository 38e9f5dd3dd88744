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

type searchAnswer struct {
	Data []struct {
		Name    string `json:"name"`
		More    bool   `json:"more"`
		MoreURL string `json:"moreUrl"`
		Items   []struct {
			ID        int64  `json:"id"`
			PartnerID int64  `json:"partnerId"`
			Title     string `json:"title"`
			URL       string `json:"url"`
		} `json:"items"`
	} `json:"data"`
}

// group returns how many times each title appears in a group of the answer, and whether it has more.
func (a searchAnswer) group(name string) (titles map[string]int, more bool) {
	titles = map[string]int{}
	for _, g := range a.Data {
		if g.Name == name {
			for _, it := range g.Items {
				titles[it.Title]++
			}
			return titles, g.More
		}
	}
	return titles, false
}

// has reports whether a group of the answer lists the object.
func (a searchAnswer) has(name string, id int64) bool {
	for _, g := range a.Data {
		for _, it := range g.Items {
			if g.Name == name && it.ID == id {
				return true
			}
		}
	}
	return false
}

func TestSearchRespectsPartnersAndTags(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, handlers.Routes)
	ctx := context.Background()
	p1, p2 := env.Partner("Quetzal", "GTQ"), env.Partner("Andes", "USD")
	person := func(partner int64, n int, first string) int64 {
		return chCreate(t, env, partner, chPerson(first, "Mendoza", fmt.Sprintf("m%d@example.com", n),
			fmt.Sprintf("5025555%04d", n), "DPI", fmt.Sprintf("%013d", 1000+n)))
	}
	ana := person(p1, 1, "Ana")
	if _, err := env.Store.SetCardholderTags(ctx, store.SystemActor("test"), p1, ana, []string{"vip"}); err != nil {
		t.Fatal(err)
	}
	luis := person(p1, 2, "Luis")
	for i := range 5 {
		person(p1, 10+i, "Otro")
	}
	person(p2, 3, "Carla")
	wide := env.Operator("wide@example.com", false, apptest.Grant{Partner: p1, Roles: []string{"viewer"}}).Login()
	narrow := env.Operator("narrow@example.com", false, apptest.Grant{Partner: p1, Roles: []string{"viewer"}},
		apptest.Grant{Partner: p2, Roles: []string{"viewer"}})
	if _, err := env.Store.RestrictOperator(ctx, store.SystemActor("test"), narrow.ID, p1, []string{"vip"}); err != nil {
		t.Fatal(err)
	}
	narrow.Login()
	search := func(op *apptest.Operator, q string) searchAnswer {
		t.Helper()
		var a searchAnswer
		op.Do(http.MethodGet, "/cms/rest/app/search?q="+q, nil).WantStatus(http.StatusOK).Decode(&a)
		return a
	}

	got, more := search(wide, "mendoza").group(store.SearchCardholders)
	if got["Ana Mendoza"]+got["Luis Mendoza"]+got["Otro Mendoza"] != 5 || !more || got["Carla Mendoza"] != 0 {
		t.Fatalf("wide operator: %v more=%v", got, more)
	}
	got, more = search(narrow, "MENDOZA").group(store.SearchCardholders)
	if len(got) != 2 || got["Ana Mendoza"] != 1 || got["Carla Mendoza"] != 1 || more {
		t.Fatalf("tag-restricted operator: %v", got)
	}
	// By email, phone and document fragments too.
	for _, q := range []string{"m2@exa", "55550002", "0000001002"} {
		if got, _ := search(wide, q).group(store.SearchCardholders); got["Luis Mendoza"] != 1 || len(got) != 1 {
			t.Fatalf("%s: %v", q, got)
		}
	}
	// Cards by their last four digits, inside the same scope.
	cards, err := env.Store.OwnedCards(ctx, p1, luis)
	if err != nil {
		t.Fatal(err)
	}
	last4 := cards[0].Last4
	if !search(wide, last4).has(store.SearchCards, cards[0].ID) {
		t.Fatalf("card %s not found", last4)
	}
	if search(narrow, last4).has(store.SearchCards, cards[0].ID) {
		t.Fatalf("a card of a cardholder outside the operator's tags was found")
	}
	wide.Do(http.MethodGet, "/cms/rest/app/search?q=ab", nil).WantError(http.StatusBadRequest, "7000")
}

func TestSearchDropdownInTheConsole(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal", "GTQ")
	env, p := fx.Env, fx.Partner
	env.Operator("ana@example.com", false, apptest.Grant{Partner: p, Roles: []string{"viewer"}})
	holder := chCreate(t, env, p, chPerson("María", "Ramírez", "maria@example.com", "50255551234", "DPI", "2345678901234"))
	b := env.SignIn("ana@example.com")
	res := b.HTMX(http.MethodGet, "/cms/rest/app/search?q="+url.QueryEscape("ramírez"), nil).WantStatus(http.StatusOK)
	res.WantHTML("María Ramírez", `href="/cms/rest/app/partners/`+itoa(p)+`/cardholders/`+itoa(holder)+`"`, "data-search-hit")
	if res.IsPage() {
		t.Fatal("the dropdown came as a whole page")
	}
	b.HTMX(http.MethodGet, "/cms/rest/app/search?q=ma", nil).WantStatus(http.StatusOK).Contains("at least 3 letters")
	page := b.Page(http.MethodGet, "/", nil)
	page.WantSelectors(`[data-testid="search-input"]`).WantHTML("/static/js/search.js")
}
