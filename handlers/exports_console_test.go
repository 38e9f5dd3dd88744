package handlers_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store/storetest"
)

// Every list screen of the console offers "Export CSV" and "Export XLSX" links (Exportar in Spanish) that carry the
// list's current filters and sort, in the part of the page its filters replace; the links download
// with the console's session.
func TestEveryListScreenOffersItsExportWithTheCurrentFilters(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, handlers.Routes)
	p := env.Partner("Quetzal", "GTQ")
	holder := storetest.Cardholder(t, env.Store, p)
	card := storetest.ActiveCard(t, env.Store, p, holder)
	env.Operator("admin@example.com", false, apptest.Grant{Partner: p, Roles: []string{"admin"}})
	b := env.SignIn("admin@example.com")
	cards := partnerPath(p, "/cardholders/"+itoa(holder)+"/cards/"+itoa(card.ID))
	for _, tc := range []struct {
		page  string // the screen, or the part of it that its filters fetch
		htmx  bool
		links []string
	}{
		{partnerPath(p, "/cardholders?searchText=holder&sortBy=name&sortOrder=asc"), true,
			[]string{partnerPath(p, "/cardholders/export.csv?searchText=holder&sortBy=name&sortOrder=asc"),
				partnerPath(p, "/cardholders/export.xlsx?searchText=holder&sortBy=name&sortOrder=asc")}},
		{partnerPath(p, "/cards?status=ACTIVE"), false,
			[]string{partnerPath(p, "/cards/export.csv?status=ACTIVE"), partnerPath(p, "/cards/export.xlsx?status=ACTIVE")}},
		{partnerPath(p, "/process-requests?status=PENDING&sort=requestedAmount&order=asc"), true,
			[]string{partnerPath(p, "/process-requests/export.csv?order=asc&sort=requestedAmount&status=PENDING"),
				partnerPath(p, "/process-requests/export.xlsx?order=asc&sort=requestedAmount&status=PENDING")}},
		{"/api/v2/applications?filter[type]=archive&sort=-id", true,
			[]string{"/api/v2/applications/export?" + url.Values{"filter[statusId]": {"0"}, "filter[type]": {"archive"}, "sort": {"-id"}}.Encode(),
				"/api/v2/applications/export?" + url.Values{"filter[statusId]": {"0"}, "filter[type]": {"archive"}, "sort": {"-id"}, "format": {"xlsx"}}.Encode()}},
		{cards + "/movements?from=2026-03-01&sortBy=amount&sortOrder=asc", true,
			[]string{cards + "/movements.csv?from=2026-03-01&sortBy=amount&sortOrder=asc", cards + "/movements.xlsx?from=2026-03-01&sortBy=amount&sortOrder=asc"}},
		{partnerPath(p, "/bulk"), false, []string{partnerPath(p, "/batches/export.csv"), partnerPath(p, "/batches/export.xlsx")}},
		{"/cms/rest/app/audit?action=cardholder.", true,
			[]string{"/cms/rest/app/audit/export.csv?action=cardholder.", "/cms/rest/app/audit/export.xlsx?action=cardholder."}},
	} {
		res := b.Get(tc.page, tc.htmx).WantStatus(http.StatusOK)
		body := html.UnescapeString(string(res.Body))
		for _, want := range []string{`data-testid="export-links"`, `aria-label="Download this list with its filters and sort"`,
			">Export CSV<", ">Export XLSX<", `href="` + tc.links[0] + `"`, `href="` + tc.links[1] + `"`} {
			if !strings.Contains(body, want) {
				t.Errorf("GET %s lacks %s", tc.page, want)
			}
		}
		for _, link := range tc.links {
			got := b.Get(link, false).WantStatus(http.StatusOK)
			if cd := got.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
				t.Errorf("GET %s: Content-Disposition %q", link, cd)
			}
		}
	}
}
