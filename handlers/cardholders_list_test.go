package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store"
)

// chCreate creates a cardholder through the store with its first card and returns its id.
func chCreate(t testing.TB, env *apptest.Env, partnerID int64, in store.NewCardholder) int64 {
	t.Helper()
	in.CardID = chStock(t, env, partnerID, 1)[0]
	ch, err := env.Store.CreateCardholder(context.Background(), store.SystemActor("test"), partnerID, in)
	if err != nil {
		t.Fatalf("create cardholder: %v", err)
	}
	return ch.ID
}

func chPerson(name, last, email, phone, docType, doc string) store.NewCardholder {
	return store.NewCardholder{Name: name, LastName: last, Address: "Calle 1", CountryOfBirth: "GT", DateOfBirth: "1985-03-04",
		MaritalStatus: "casado", Gender: "M", PhoneNumber: phone, Email: email, DocumentType: docType, DocumentNumber: doc}
}

// chList lists through the API and returns the ids in order with the total.
func chList(t testing.TB, op *apptest.Operator, partnerID int64, q url.Values) ([]int64, int, map[string]any) {
	t.Helper()
	res := op.Do(http.MethodGet, "/cms/rest/app/partners/"+itoa(partnerID)+"/cardholders?"+q.Encode(), nil).WantStatus(http.StatusOK)
	d := res.Data()
	var ids []int64
	for _, it := range d["items"].([]any) {
		ids = append(ids, int64(it.(map[string]any)["id"].(float64)))
	}
	return ids, int(d["total"].(float64)), d
}

func TestCardholderSearch(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal", "GTQ")
	env, p := fx.Env, fx.Partner
	other := env.Partner("Andes", "USD")
	op := fx.Role("ana", "viewer")
	maria := chCreate(t, env, p, chPerson("María", "Ramírez", "maria.ramirez@example.com", "50255551234", "DPI", "2345678901234"))
	jose := chCreate(t, env, p, chPerson("José", "Álvarez", "jose_alvarez@correo.gt", "50244440000", "PASSPORT", "GT778899"))
	pct := chCreate(t, env, p, chPerson("Lucía", "Pérez", "lucia100%@example.com", "50233339999", "NIT", "1234567-K"))
	chCreate(t, env, other, chPerson("María", "Otra", "maria.otra@example.com", "50255551234", "DPI", "2345678901234"))
	// Rows a wildcard would match if % and _ were not taken literally.
	chCreate(t, env, p, chPerson("Joséx", "Alvarado", "josexalv@mail.com", "50211110000", "DPI", "9999999999999"))
	chCreate(t, env, p, chPerson("Lucía", "Mil", "lucia1000@mail.com", "50211112222", "DPI", "8888888888888"))

	for _, tc := range []struct {
		search string
		want   []int64
	}{
		{"RAMIREZ@EXAMPLE", []int64{maria}},   // email, any case
		{"5555123", []int64{maria}},           // phone fragment
		{"gt7788", []int64{jose}},             // document fragment, any case
		{"678901", []int64{maria}},            // the middle of a document number
		{"ose_alv", []int64{jose}},            // an underscore is a character, not a wildcard
		{"100%", []int64{pct}},                // so is a percent sign
		{"100%@EXAMPLE", []int64{pct}},        //
		{"example.com", []int64{pct, maria}},  // newest first by default
		{"nobody", nil},                       //
		{"  maria.ramirez  ", []int64{maria}}, // trimmed
		{"María", nil},                        // names are not searched
	} {
		ids, total, _ := chList(t, op, p, url.Values{"searchText": {tc.search}})
		if fmt.Sprint(ids) != fmt.Sprint(tc.want) || total != len(tc.want) {
			t.Errorf("search %q = %v (total %d), want %v", tc.search, ids, total, tc.want)
		}
	}
	if n := chAuditActions(t, env, "cardholder.list"); n != 11 {
		t.Errorf("%d list reads audited, want one per search", n)
	}

	// A fragment without 3 letters or digits in a row cannot use the indexes.
	for _, short := range []string{"ab", "%", "_", "a_b", "@.c", "é1"} {
		res := op.Do(http.MethodGet, "/cms/rest/app/partners/"+itoa(p)+"/cardholders?searchText="+url.QueryEscape(short), nil).
			WantError(http.StatusBadRequest, "7000")
		if res.FieldErrors()["searchText"] != "7000" {
			t.Errorf("%q: %s", short, res.Body)
		}
	}
	op.Do(http.MethodGet, "/cms/rest/app/partners/"+itoa(p)+"/cardholders?searchText="+strings.Repeat("a", 101), nil).
		WantError(http.StatusBadRequest, "7000")
}

func TestCardholderListSortAndPages(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal", "GTQ")
	env, p := fx.Env, fx.Partner
	op := fx.Role("ana", "viewer")
	var ids []int64
	names := []string{"Zoila", "Álvaro", "Beatriz", "Álvaro", "Carlos", "Álvaro"}
	for i, n := range names {
		ids = append(ids, chCreate(t, env, p, chPerson(n, "Pérez", fmt.Sprintf("p%d@example.com", i), fmt.Sprintf("5025555%04d", i), "DPI", fmt.Sprintf("%013d", i+1))))
	}

	got, total, d := chList(t, op, p, url.Values{"sortBy": {"name"}, "sortOrder": {"asc"}})
	// Accented names sort with their letter; equal names keep the order of their ids.
	want := []int64{ids[1], ids[3], ids[5], ids[2], ids[4], ids[0]}
	if fmt.Sprint(got) != fmt.Sprint(want) || total != 6 {
		t.Fatalf("by name: %v, want %v", got, want)
	}
	got, _, _ = chList(t, op, p, url.Values{"sortBy": {"name"}, "sortOrder": {"DESC"}})
	if fmt.Sprint(got) != fmt.Sprint([]int64{ids[0], ids[4], ids[2], ids[5], ids[3], ids[1]}) {
		t.Fatalf("by name desc: %v", got)
	}
	if d["page"] != float64(1) || d["limit"] != float64(store.DefaultLimit) {
		t.Fatalf("page fields: %v", d)
	}
	got, _, _ = chList(t, op, p, url.Values{})
	if fmt.Sprint(got) != fmt.Sprint([]int64{ids[5], ids[4], ids[3], ids[2], ids[1], ids[0]}) {
		t.Fatalf("default order (newest first): %v", got)
	}
	for _, col := range []string{"id", "createdAt", "lastName", "email", "documentNumber"} {
		got, _, _ = chList(t, op, p, url.Values{"sortBy": {col}})
		if len(got) != 6 {
			t.Fatalf("sortBy %s: %v", col, got)
		}
	}
	got, _, _ = chList(t, op, p, url.Values{"sortBy": {"documentNumber"}, "sortOrder": {"asc"}})
	if fmt.Sprint(got) != fmt.Sprint(ids) {
		t.Fatalf("by document: %v", got)
	}

	// Pages of two, in the same order as one page.
	var paged []int64
	for page := 1; page <= 4; page++ {
		got, total, _ := chList(t, op, p, url.Values{"sortBy": {"name"}, "limit": {"2"}, "page": {fmt.Sprint(page)}})
		if total != 6 {
			t.Fatalf("total %d on page %d", total, page)
		}
		paged = append(paged, got...)
	}
	if fmt.Sprint(paged) != fmt.Sprint(want) {
		t.Fatalf("paged %v, want %v", paged, want)
	}
	_, _, d = chList(t, op, p, url.Values{"limit": {"500"}})
	if d["limit"] != float64(store.MaxLimit) {
		t.Fatalf("limit not capped: %v", d["limit"])
	}

	for _, q := range []url.Values{{"sortBy": {"password"}}, {"sortBy": {"name; DROP TABLE cardholders"}}, {"sortOrder": {"up"}},
		{"sortBy": {"created_at"}}} {
		res := op.Do(http.MethodGet, "/cms/rest/app/partners/"+itoa(p)+"/cardholders?"+q.Encode(), nil).WantError(http.StatusBadRequest, "7000")
		if len(res.FieldErrors()) != 1 {
			t.Fatalf("%v: %s", q, res.Body)
		}
	}
}

func TestCardholderListAccess(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal", "GTQ")
	env, p := fx.Env, fx.Partner
	other := env.Partner("Andes", "USD")
	op := env.Operator("ana@example.com", false, apptest.Grant{Partner: p, Permissions: []string{"cards-admin:detail"}}).Login()
	op.Do(http.MethodGet, "/cms/rest/app/partners/"+itoa(p)+"/cardholders", nil).WantError(http.StatusForbidden, "7005")
	op.Do(http.MethodGet, "/cms/rest/app/partners/"+itoa(other)+"/cardholders", nil).WantError(http.StatusForbidden, "7005")
}

func TestCardholderListInTheConsole(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal", "GTQ")
	env, p := fx.Env, fx.Partner
	env.Operator("ana@example.com", false, apptest.Grant{Partner: p, Roles: []string{"maker"}})
	b := env.SignIn("ana@example.com")
	base := "/cms/rest/app/partners/" + itoa(p) + "/cardholders"
	empty := b.Page(http.MethodGet, base, nil).WantStatus(http.StatusOK)
	empty.WantSelectors(`[data-testid="empty-state"]`, `[data-testid="new-cardholder"]`).WantHTML("no cardholders yet")

	id := chCreate(t, env, p, chPerson("María", "Ramírez", "maria@example.com", "50255551234", "DPI", "2345678901234"))
	page := b.Page(http.MethodGet, base+"?searchText=maria", nil).WantStatus(http.StatusOK)
	if !page.IsPage() {
		t.Fatal("not a page")
	}
	page.WantSelectors(`[data-testid="cardholder-open-`+itoa(id)+`"]`, `[data-testid="sort-name"]`).WantHTML(`hx-trigger="input changed delay:300ms, search"`)
	part := b.HTMX(http.MethodGet, base+"?searchText=nobody", nil).WantStatus(http.StatusOK)
	if part.IsPage() {
		t.Fatal("HTMX got the page")
	}
	part.WantSelectors(`[id="cardholders-table"]`).WantHTML("containing “nobody”")
	b.HTMX(http.MethodGet, base+"?sortBy=secret", nil).WantStatus(http.StatusBadRequest)
	// While the operator types the first characters, the console lists everyone and says why.
	short := b.HTMX(http.MethodGet, base+"?searchText=ma", nil).WantStatus(http.StatusOK)
	short.WantSelectors(`[data-testid="search-hint"]`, `[data-testid="cardholder-open-`+itoa(id)+`"]`)
}

func chAuditActions(t testing.TB, env *apptest.Env, action string) int {
	t.Helper()
	var n int
	if err := env.Store.DB().Get(&n, `SELECT count(*) FROM audit_log WHERE action = $1`, action); err != nil {
		t.Fatal(err)
	}
	return n
}
