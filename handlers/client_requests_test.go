package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cardconsole/internal/apptest"
	"cardconsole/store/storetest"
)

func ids(t *testing.T, res *apptest.Response) []int64 {
	t.Helper()
	var list struct {
		Total int
		Data  []struct{ ID int64 }
	}
	res.Decode(&list)
	out := make([]int64, 0, len(list.Data))
	for _, d := range list.Data {
		out = append(out, d.ID)
	}
	return out
}

func total(t *testing.T, res *apptest.Response) int {
	t.Helper()
	return int(res.JSON()["total"].(float64))
}

func TestSubmitValidatesThePayloadOfEachType(t *testing.T) {
	t.Parallel()
	q := newQueue(t)
	other := storetest.Cardholder(t, q.env.Store, q.partner)
	foreign := storetest.ActiveCard(t, q.env.Store, q.partner, other)
	post := func(body map[string]any) *apptest.Response {
		return api(q.env, q.submitter, http.MethodPost, "/api/v2/applications", body)
	}
	cases := []struct {
		name   string
		body   map[string]any
		status int
		fields []string
	}{
		{"unknown type", map[string]any{"clientId": q.client, "type": "loan", "payload": map[string]any{}}, 400, []string{"type"}},
		{"missing client", map[string]any{"type": "archive"}, 400, []string{"clientId"}},
		{"bad colour", map[string]any{"clientId": q.client, "type": "archive", "color": "red"}, 400, []string{"color"}},
		{"decided status", map[string]any{"clientId": q.client, "type": "archive", "statusId": 1}, 400, []string{"statusId"}},
		{"deposit without fields", map[string]any{"clientId": q.client, "type": "deposit", "payload": map[string]any{}}, 400,
			[]string{"payload.cardId", "payload.amount"}},
		{"deposit with a bad amount", map[string]any{"clientId": q.client, "type": "deposit",
			"payload": map[string]any{"cardId": q.card.ID, "amount": "1.23456"}}, 400, []string{"payload.amount"}},
		{"withdrawal of a zero amount", map[string]any{"clientId": q.client, "type": "withdrawal",
			"payload": map[string]any{"cardId": q.card.ID, "amount": 0}}, 400, []string{"payload.amount"}},
		{"withdrawal from another client's card", map[string]any{"clientId": q.client, "type": "withdrawal",
			"payload": map[string]any{"cardId": foreign.ID, "amount": 5}}, 404, []string{"payload.cardId"}},
		{"deposit with an extra field", map[string]any{"clientId": q.client, "type": "deposit",
			"payload": map[string]any{"cardId": q.card.ID, "amount": 5, "note": "x"}}, 400, []string{"payload.note"}},
		{"transfer to the same card", map[string]any{"clientId": q.client, "type": "transfer",
			"payload": map[string]any{"fromCardId": q.card.ID, "toCardId": q.card.ID, "amount": 5}}, 400, []string{"payload.toCardId"}},
		{"profile with bad values", map[string]any{"clientId": q.client, "type": "profile",
			"payload": map[string]any{"email": "nope", "gender": "X", "dateOfBirth": "2999-01-01", "maritalStatus": "single"}}, 400,
			[]string{"payload.email", "payload.gender", "payload.dateOfBirth", "payload.maritalStatus"}},
		{"empty profile", map[string]any{"clientId": q.client, "type": "profile", "payload": map[string]any{}}, 400, []string{"payload"}},
		{"address with a profile field", map[string]any{"clientId": q.client, "type": "address",
			"payload": map[string]any{"address": "Calle 2", "email": "a@b.test"}}, 400, []string{"payload.email"}},
		{"verification without reference", map[string]any{"clientId": q.client, "type": "verification",
			"payload": map[string]any{"documentReference": "  "}}, 400, []string{"payload.documentReference"}},
		{"free-form payload not an object", map[string]any{"clientId": q.client, "type": "external", "payload": []int{1}}, 400,
			[]string{"payload"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := post(tc.body).WantStatus(tc.status)
			got := res.FieldErrors()
			for _, f := range tc.fields {
				if _, ok := got[f]; !ok {
					t.Errorf("no error on %s: %s", f, res.Body)
				}
			}
		})
	}

	// Amounts come back exact, and the currency is the card's.
	res := post(map[string]any{"clientId": q.client, "type": "deposit", "color": "#ABC",
		"payload": map[string]any{"cardId": q.card.ID, "amount": "150.2500"}}).WantStatus(http.StatusCreated)
	m := res.JSON()
	if m["amount"] != 150.25 || m["currency"] != "GTQ" || m["color"] != "#aabbcc" || m["statusId"] != float64(0) ||
		m["status"] != "pending" || m["clientId"] != float64(q.client) || m["submittedByLabel"] != "maker@example.com" {
		t.Errorf("submitted request = %s", res.Body)
	}
	payload := m["payload"].(map[string]any)
	if payload["cardId"] != float64(q.card.ID) || payload["amount"] != 150.25 {
		t.Errorf("payload = %v", payload)
	}
	// A cardholder of a partner the submitter has no grant on does not exist for them.
	p2 := q.env.Partner("Andes", "USD")
	stranger := storetest.Cardholder(t, q.env.Store, p2)
	post(map[string]any{"clientId": stranger, "type": "archive"}).WantError(http.StatusNotFound, "7100")
	// Submitting needs cardholders:update; the checker does not hold it.
	api(q.env, q.checker, http.MethodPost, "/api/v2/applications", map[string]any{"clientId": q.client, "type": "archive"}).
		WantError(http.StatusForbidden, "7005")
	// No operator token, no access; the CMS app token is not an operator token.
	q.env.Do(http.MethodGet, "/api/v2/applications", nil, nil).WantError(http.StatusUnauthorized, "7004")
	q.env.Do(http.MethodGet, "/api/v2/applications", map[string]string{"Authorization": "Bearer " + q.env.AppToken()}, nil).
		WantError(http.StatusUnauthorized, "7004")
	q.env.Do(http.MethodGet, "/api/v2/applications", map[string]string{"Authorization": q.checker.Token}, nil).
		WantError(http.StatusUnauthorized, "7004")
}

func TestListFiltersSortsAndPages(t *testing.T) {
	t.Parallel()
	q := newQueue(t)
	st := q.env.Store
	other := storetest.Cardholder(t, st, q.partner)
	var all []int64
	for i, typ := range []string{"archive", "verification", "external", "archive", "account"} {
		client := q.client
		if i%2 == 1 {
			client = other
		}
		payload := map[string]any{}
		if typ == "verification" {
			payload["documentReference"] = "DOC-1"
		}
		all = append(all, q.submit(t, client, typ, payload))
	}
	inProgress := 3
	res := api(q.env, q.submitter, http.MethodPost, "/api/v2/applications",
		map[string]any{"clientId": q.client, "type": "partner", "statusId": inProgress}).WantStatus(http.StatusCreated)
	all = append(all, int64(res.JSON()["id"].(float64)))
	api(q.env, q.checker, http.MethodPost, path("/api/v2/applications/%d/approve", all[0]), map[string]any{}).WantStatus(http.StatusNoContent)

	get := func(query string) *apptest.Response {
		return api(q.env, q.checker, http.MethodGet, "/api/v2/applications?"+query, nil).WantStatus(http.StatusOK)
	}
	// The API lists every status by default, oldest first.
	res = get("")
	if got := ids(t, res); len(got) != 6 || got[0] != all[0] || total(t, res) != 6 {
		t.Fatalf("default list = %v (total %d)", got, total(t, res))
	}
	if m := res.JSON(); m["limit"] != float64(10) || m["offset"] != float64(0) {
		t.Errorf("paging = %v %v", m["limit"], m["offset"])
	}
	checks := map[string][]int64{
		"filter[id]=" + itoa(all[2]):                            {all[2]},
		"filter[clientId]=" + itoa(other):                       {all[1], all[3]},
		"filter[type]=archive":                                  {all[0], all[3]},
		"filter[statusId]=0":                                    {all[1], all[2], all[3], all[4]},
		"filter[statusId]=1":                                    {all[0]},
		"filter[statusId]=3":                                    {all[5]},
		"filter[statusId]=all&filter[type]=account":             {all[4]},
		"filter[type]=archive&filter[statusId]=0":               {all[3]},
		"sort=-id&limit=2":                                      {all[5], all[4]},
		"sort=-id&limit=2&offset=2":                             {all[3], all[2]},
		"sort=id&limit=2&offset=4":                              {all[4], all[5]},
		"filter[client]=holder&sort=-createdAt&limit=1":         {all[5]},
		"filter[dateFrom]=2000-01-01&filter[dateTo]=2000-12-31": {},
	}
	for query, want := range checks {
		res := get(query)
		got := ids(t, res)
		if len(got) != len(want) {
			t.Errorf("%s: %v, want %v", query, got, want)
			continue
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s: %v, want %v", query, got, want)
				break
			}
		}
	}
	if n := total(t, get("limit=2&offset=2")); n != 6 {
		t.Errorf("total with paging = %d, want 6", n)
	}
	if n := total(t, get("filter[statusId]=0&limit=1")); n != 4 {
		t.Errorf("pending total = %d, want 4", n)
	}
	today := q.env.Now().UTC().Format("2006-01-02")
	if n := total(t, get("filter[dateFrom]="+today+"&filter[dateTo]="+today)); n != 6 {
		t.Errorf("today's total = %d, want 6", n)
	}
	for _, bad := range []string{"filter[type]=loan", "filter[statusId]=9", "filter[statusId]=x", "filter[id]=abc",
		"filter[clientId]=-1", "sort=name", "limit=0", "offset=-1", "filter[dateFrom]=01/02/2024"} {
		api(q.env, q.checker, http.MethodGet, "/api/v2/applications?"+bad, nil).WantError(http.StatusBadRequest, "7000")
	}
	// limit is capped at 100.
	if m := get("limit=1000").JSON(); m["limit"] != float64(100) {
		t.Errorf("limit = %v, want 100", m["limit"])
	}

	// The console lists pending requests by default, as a page and as an HTMX table.
	cl := q.env.SignIn(q.checker.Email)
	page := cl.Get("/api/v2/applications", false).WantStatus(http.StatusOK)
	page.WantSelectors(`[data-testid="requests-filters"]`, `[data-testid="bell-count"]`, `[data-testid="nav-requests"]`).WantPage(">4<")
	if n := strings.Count(string(page.Body), `data-testid="request-row"`); n != 4 {
		t.Errorf("console shows %d rows, want the 4 pending", n)
	}
	part := cl.Get("/api/v2/applications?filter[statusId]=all&sort=-id&limit=5", true).WantStatus(http.StatusOK)
	part.WantSelectors(`[id="requests-table"]`, `[data-testid="page-next"]`).WantFragment()
	if n := strings.Count(string(part.Body), `data-testid="request-row"`); n != 5 {
		t.Errorf("partial shows %d rows, want 5", n)
	}
	empty := cl.Get("/api/v2/applications?filter[type]=transfer", true).WantStatus(http.StatusOK)
	empty.WantSelectors(`[data-testid="empty-state"]`).WantFragment()
	bad := cl.Get("/api/v2/applications?filter[statusId]=9", true).WantStatus(http.StatusBadRequest)
	bad.WantSelectors(`[data-testid="error-filter[statusId]"]`).WantFragment()
}

func TestExportFollowsFiltersAndSort(t *testing.T) {
	t.Parallel()
	q := newQueue(t)
	a := q.submit(t, q.client, "archive", map[string]any{})
	b := q.submit(t, q.client, "deposit", map[string]any{"cardId": q.card.ID, "amount": "12.5"})
	c := q.submit(t, q.client, "archive", map[string]any{})
	// A client name that a spreadsheet would take for a formula is defused.
	if _, err := q.env.Store.DB().ExecContext(context.Background(), `UPDATE cardholders SET name = '=HYPERLINK("x")' WHERE id = $1`, q.client); err != nil {
		t.Fatal(err)
	}
	res := api(q.env, q.checker, http.MethodGet, "/api/v2/applications/export?filter[type]=archive&sort=-id", nil).WantStatus(http.StatusOK)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("content type %q", ct)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
		t.Errorf("disposition %q", cd)
	}
	lines := strings.Split(strings.TrimSpace(string(res.Body)), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "id,partnerId,clientId") ||
		!strings.HasPrefix(lines[1], itoa(c)+",") || !strings.HasPrefix(lines[2], itoa(a)+",") {
		t.Fatalf("export = %q", lines)
	}
	if !strings.Contains(lines[1], `'=HYPERLINK`) {
		t.Errorf("formula not defused: %s", lines[1])
	}
	res = api(q.env, q.checker, http.MethodGet, "/api/v2/applications/export?filter[type]=deposit", nil).WantStatus(http.StatusOK)
	if !strings.Contains(string(res.Body), itoa(b)+",") || !strings.Contains(string(res.Body), ",12.50,GTQ,") {
		t.Errorf("deposit export = %s", res.Body)
	}
	api(q.env, q.checker, http.MethodGet, "/api/v2/applications/export?sort=nope", nil).WantError(http.StatusBadRequest, "7000")
	// The console's export link carries the queue's filters, pending included.
	cl := q.env.SignIn(q.checker.Email)
	page := cl.Get("/api/v2/applications?filter[type]=archive", false).WantStatus(http.StatusOK)
	want := "/api/v2/applications/export?" + url.Values{"filter[statusId]": {"0"}, "filter[type]": {"archive"}, "sort": {"createdAt"}}.Encode()
	page.WantPage(want)
}

func TestColourChangesOnlyTheHighlight(t *testing.T) {
	t.Parallel()
	q := newQueue(t)
	id := q.submit(t, q.client, "archive", map[string]any{"note": "keep"})
	for _, method := range []string{http.MethodPut, http.MethodPatch} {
		res := api(q.env, q.checker, method, path("/api/v2/applications/%d", id), map[string]any{"color": "#FBE1E3"}).WantStatus(http.StatusOK)
		if m := res.JSON(); m["color"] != "#fbe1e3" || m["statusId"] != float64(0) || m["id"] != float64(id) {
			t.Errorf("%s answered %s", method, res.Body)
		}
	}
	for _, bad := range []any{map[string]any{"color": "blue"}, map[string]any{"color": "#12345"}, map[string]any{}} {
		api(q.env, q.checker, http.MethodPatch, path("/api/v2/applications/%d", id), bad).WantError(http.StatusBadRequest, "7000")
	}
	res := api(q.env, q.checker, http.MethodPatch, path("/api/v2/applications/%d", id), map[string]any{"color": ""}).WantStatus(http.StatusOK)
	if m := res.JSON(); m["color"] != nil {
		t.Errorf("colour not cleared: %s", res.Body)
	}
	// Colouring needs approvals:update: the maker may look but not colour.
	api(q.env, q.submitter, http.MethodPatch, path("/api/v2/applications/%d", id), map[string]any{"color": "#000000"}).
		WantError(http.StatusForbidden, "7005")
	api(q.env, q.checker, http.MethodPatch, "/api/v2/applications/999999", map[string]any{"color": "#000000"}).
		WantError(http.StatusNotFound, "7010")

	// The console's pickers answer the tinted row, or the summary on the request page.
	cl := q.env.SignIn(q.checker.Email)
	row := cl.HTMX(http.MethodPatch, path("/api/v2/applications/%d", id), url.Values{"color": {"#00ff00"}},
		map[string]string{"X-CSRF-Token": cl.CSRF, "HX-Target": path("request-row-%d", id)})
	row.WantStatus(http.StatusOK).WantFragment(`background-color: #00ff00`, path(`id="request-row-%d"`, id))
	sum := cl.HTMX(http.MethodPatch, path("/api/v2/applications/%d", id), url.Values{"color": {"#0000ff"}},
		map[string]string{"X-CSRF-Token": cl.CSRF, "HX-Target": "request-summary"})
	sum.WantStatus(http.StatusOK).WantSelectors(`[id="request-summary"]`).WantFragment(`background-color: #0000ff`)
	// Without the CSRF header the console refuses the change.
	cl.HTMX(http.MethodPatch, path("/api/v2/applications/%d", id), url.Values{"color": {"#ff0000"}}, map[string]string{"X-CSRF-Token": ""}).
		WantStatus(http.StatusForbidden)
	var payload string
	if err := q.env.Store.DB().GetContext(context.Background(), &payload, `SELECT payload::text FROM client_requests WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if payload != `{"note": "keep"}` {
		t.Errorf("payload changed: %s", payload)
	}
}

func TestDetailAndNotifications(t *testing.T) {
	t.Parallel()
	q := newQueue(t)
	id := q.submit(t, q.client, "withdrawal", map[string]any{"cardId": q.card.ID, "amount": 2})
	q.submit(t, q.client, "verification", map[string]any{"documentReference": "DPI-123"})
	res := api(q.env, q.checker, http.MethodGet, path("/api/v2/applications/%d", id), nil).WantStatus(http.StatusOK)
	m := res.JSON()
	client := m["client"].(map[string]any)
	if m["type"] != "withdrawal" || client["id"] != float64(q.client) || len(m["cards"].([]any)) != 2 ||
		len(m["history"].([]any)) != 1 || m["comments"] == nil {
		t.Errorf("detail = %s", res.Body)
	}
	api(q.env, q.checker, http.MethodGet, "/api/v2/applications/999999", nil).WantError(http.StatusNotFound, "7010")
	api(q.env, q.checker, http.MethodGet, "/api/v2/applications/abc", nil).WantError(http.StatusNotFound, "7010")
	// Reading the client's personal data is audited.
	var reads int
	if err := q.env.Store.DB().GetContext(context.Background(), &reads, `SELECT count(*) FROM audit_log
		WHERE action = 'cardholder.read' AND object_id = $1`, itoa(q.client)); err != nil {
		t.Fatal(err)
	}
	if reads != 1 {
		t.Errorf("%d audited reads, want 1", reads)
	}

	res = api(q.env, q.checker, http.MethodGet, "/api/v2/applications/notifications?limit=1", nil).WantStatus(http.StatusOK)
	var n struct {
		Total int
		Data  []struct{ Link, Type, Text string }
	}
	res.Decode(&n)
	if n.Total != 2 || len(n.Data) != 1 || n.Data[0].Type != "Verification" ||
		!strings.HasSuffix(n.Data[0].Link, path("/api/v2/applications/%d", id+1)) || !strings.Contains(n.Data[0].Text, "Verification request from") {
		t.Errorf("notifications = %s", res.Body)
	}
	res = api(q.env, q.checker, http.MethodGet, "/api/v2/applications/notifications", nil).WantStatus(http.StatusOK)
	res.Decode(&n)
	if len(n.Data) != 2 || n.Data[1].Text != "Withdrawal request Q 2.00 from Ana Pérez" {
		t.Errorf("notifications = %s", res.Body)
	}
	// An operator without approvals on any partner gets 403, not an empty list.
	outsider := q.env.Operator("out@example.com", false, apptest.Grant{Partner: q.env.Partner("Other", "USD"), Roles: []string{"viewer"}})
	if _, err := q.env.Store.DB().ExecContext(context.Background(), `DELETE FROM operator_permissions
		WHERE operator_id = $1 AND permission LIKE 'approvals:%'`, outsider.ID); err != nil {
		t.Fatal(err)
	}
	api(q.env, outsider, http.MethodGet, "/api/v2/applications/notifications", nil).WantError(http.StatusForbidden, "7005")
	api(q.env, outsider, http.MethodGet, "/api/v2/applications", nil).WantError(http.StatusForbidden, "7005")

	// The console: the request page in full and as a fragment, the notifications page.
	cl := q.env.SignIn(q.checker.Email)
	cl.Get(path("/api/v2/applications/%d", id), false).WantStatus(http.StatusOK).WantSelectors(`[data-testid="request-summary"]`, `[data-testid="approve-form"]`, `[data-testid="reject-form"]`, `[data-testid="request-audit"]`).WantPage()
	cl.Get(path("/api/v2/applications/%d", id), true).WantStatus(http.StatusOK).WantSelectors(`[id="request-detail"]`).WantFragment()
	cl.Get("/api/v2/applications/notifications", false).WantStatus(http.StatusOK).WantSelectors(`[data-testid="notifications"]`).WantPage("Withdrawal request Q 2.00")
	cl.Get("/api/v2/applications/notifications", true).WantStatus(http.StatusOK).WantSelectors(`[data-testid="notifications"]`).WantFragment()
	// The submitter sees the request but is told another operator must decide it.
	mk := q.env.SignIn(q.submitter.Email)
	mk.Get(path("/api/v2/applications/%d", id), false).WantStatus(http.StatusOK).WantSelectors(`[data-testid="own-request"]`).WantPage()
}

// TestConsoleQueueFiltersByTheDaysItShows: a request made at 21:30 in Guatemala (03:30 UTC the next
// day) is on the 5th for the console, which shows it at 21:30 that day, and on the 6th for API
// clients, which filter by UTC days.
func TestConsoleQueueFiltersByTheDaysItShows(t *testing.T) {
	t.Parallel()
	q := newQueue(t)
	id := q.submit(t, q.client, "archive", nil)
	if _, err := q.env.Store.DB().ExecContext(context.Background(),
		`UPDATE client_requests SET created_at = '2026-03-06 03:30:00+00' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	row := `data-request-id="` + itoa(id) + `"`
	cl := q.env.SignIn(q.checker.Email)
	day := func(d string) string { return "/api/v2/applications?filter[dateFrom]=" + d + "&filter[dateTo]=" + d }
	cl.Get(day("2026-03-05"), false).WantStatus(http.StatusOK).Contains(row, "2026-03-05 21:30")
	cl.Get(day("2026-03-06"), false).WantStatus(http.StatusOK).Lacks(row)
	var list struct {
		Total int `json:"total"`
	}
	api(q.env, q.checker, http.MethodGet, day("2026-03-06"), nil).WantStatus(http.StatusOK).Decode(&list)
	if list.Total != 1 {
		t.Errorf("API clients find %d requests on the UTC day 2026-03-06, want 1", list.Total)
	}
	api(q.env, q.checker, http.MethodGet, day("2026-03-05"), nil).WantStatus(http.StatusOK).Decode(&list)
	if list.Total != 0 {
		t.Errorf("API clients find %d requests on the UTC day 2026-03-05, want 0", list.Total)
	}
}
