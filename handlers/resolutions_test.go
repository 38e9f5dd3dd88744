package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cardconsole/internal/apptest"
)

func TestResolutionsCRUDAndFilters(t *testing.T) {
	t.Parallel()
	q := newQueue(t)
	env := q.env
	types := api(env, q.checker, http.MethodGet, "/api/v2/resolution-types", nil).WantStatus(http.StatusOK).JSON()
	if types["total"] != float64(5) || types["data"].([]any)[0].(map[string]any)["name"] != "Documents" {
		t.Errorf("types = %v", types)
	}

	res := api(env, q.checker, http.MethodPost, "/api/v2/resolutions", map[string]any{"type": 2, "name": " Insufficient funds ",
		"text": "The card cannot cover it."}).WantStatus(http.StatusCreated)
	m := res.JSON()
	id := int64(m["id"].(float64))
	if m["name"] != "Insufficient funds" || m["type"] != float64(2) || m["typeName"] != "Funds" || m["enabled"] != true ||
		m["partnerId"] != float64(q.partner) {
		t.Errorf("created = %s", res.Body)
	}
	q.resolution(t, "Blurry document")
	// Validation and uniqueness per partner.
	res = api(env, q.checker, http.MethodPost, "/api/v2/resolutions", map[string]any{"type": 99, "name": ""}).WantStatus(http.StatusBadRequest)
	if f := res.FieldErrors(); f["name"] == "" {
		t.Errorf("fields = %v", f)
	}
	api(env, q.checker, http.MethodPost, "/api/v2/resolutions", map[string]any{"type": 99, "name": "x"}).WantError(http.StatusBadRequest, "7000")
	api(env, q.checker, http.MethodPost, "/api/v2/resolutions", map[string]any{"type": 1, "name": "insufficient FUNDS"}).
		WantError(http.StatusConflict, "7011")
	// Creating needs approvals:update; another partner's id is refused.
	api(env, q.submitter, http.MethodPost, "/api/v2/resolutions", map[string]any{"type": 1, "name": "y"}).WantError(http.StatusForbidden, "7005")
	p2 := env.Partner("Andes", "USD")
	api(env, q.checker, http.MethodPost, "/api/v2/resolutions", map[string]any{"partnerId": p2, "type": 1, "name": "y"}).
		WantError(http.StatusForbidden, "7005")
	// An operator managing two partners must say which.
	both := env.Operator("both@example.com", false, apptest.Grant{Partner: q.partner, Roles: []string{"checker"}},
		apptest.Grant{Partner: p2, Roles: []string{"checker"}}).Login()
	res = api(env, both, http.MethodPost, "/api/v2/resolutions", map[string]any{"type": 1, "name": "z"}).WantStatus(http.StatusBadRequest)
	if _, ok := res.FieldErrors()["partnerId"]; !ok {
		t.Errorf("no partnerId error: %s", res.Body)
	}
	api(env, both, http.MethodPost, "/api/v2/resolutions", map[string]any{"partnerId": p2, "type": 3, "name": "Sanctions"}).
		WantStatus(http.StatusCreated)

	// PUT changes what it carries.
	res = api(env, q.checker, http.MethodPut, path("/api/v2/resolutions/%d", id), map[string]any{"enabled": false}).WantStatus(http.StatusOK)
	if m := res.JSON(); m["enabled"] != false || m["name"] != "Insufficient funds" || m["text"] != "The card cannot cover it." {
		t.Errorf("updated = %s", res.Body)
	}
	api(env, q.checker, http.MethodPut, path("/api/v2/resolutions/%d", id), map[string]any{"name": ""}).WantError(http.StatusBadRequest, "7000")
	api(env, q.submitter, http.MethodPut, path("/api/v2/resolutions/%d", id), map[string]any{"name": "a"}).WantError(http.StatusForbidden, "7005")
	get := api(env, q.checker, http.MethodGet, path("/api/v2/resolutions/%d", id), nil).WantStatus(http.StatusOK).JSON()
	if get["enabled"] != false {
		t.Errorf("get = %v", get)
	}

	list := func(op *apptest.Operator, query string) (int, []string) {
		t.Helper()
		var l struct {
			Total int
			Data  []struct{ Name string }
		}
		api(env, op, http.MethodGet, "/api/v2/resolutions?"+query, nil).WantStatus(http.StatusOK).Decode(&l)
		var names []string
		for _, d := range l.Data {
			names = append(names, d.Name)
		}
		return l.Total, names
	}
	checks := map[string]string{
		"":                        "Blurry document,Insufficient funds",
		"filter[enabled]=true":    "Blurry document",
		"filter[enabled]=false":   "Insufficient funds",
		"filter[name]=BLUR":       "Blurry document",
		"filter[type]=2":          "Insufficient funds",
		"filter[name]=%25":        "",
		"limit=1&offset=1":        "Insufficient funds",
		"filter[type]=1&limit=10": "Blurry document",
	}
	for query, want := range checks {
		if _, names := list(q.checker, query); strings.Join(names, ",") != want {
			t.Errorf("%q: %v, want %s", query, names, want)
		}
	}
	if n, names := list(both, ""); n != 3 || len(names) != 3 {
		t.Errorf("two partners' resolutions = %d %v", n, names)
	}
	for _, bad := range []string{"filter[enabled]=yes", "filter[type]=x", "limit=-1"} {
		api(env, q.checker, http.MethodGet, "/api/v2/resolutions?"+bad, nil).WantError(http.StatusBadRequest, "7000")
	}
	// Another partner's resolution does not exist for this operator.
	_, names := list(both, "filter[name]=Sanctions")
	if len(names) != 1 {
		t.Fatalf("sanctions = %v", names)
	}
	api(env, q.checker, http.MethodGet, "/api/v2/resolutions/999999", nil).WantError(http.StatusNotFound, "7010")

	api(env, q.checker, http.MethodDelete, path("/api/v2/resolutions/%d", id), nil).WantStatus(http.StatusNoContent)
	api(env, q.checker, http.MethodGet, path("/api/v2/resolutions/%d", id), nil).WantError(http.StatusNotFound, "7010")
}

func TestResolutionsConsole(t *testing.T) {
	t.Parallel()
	q := newQueue(t)
	id := q.resolution(t, "Blurry document")
	cl := q.env.SignIn(q.checker.Email)
	cl.Get("/api/v2/resolutions", false).WantStatus(http.StatusOK).WantSelectors(`[data-testid="resolution-form"]`, `[data-testid="resolution-row"]`).WantPage("Blurry document")
	cl.Get("/api/v2/resolutions?filter[name]=nothing", true).WantStatus(http.StatusOK).WantSelectors(`[id="resolutions-table"]`, `[data-testid="empty-state"]`).WantFragment()
	cl.Get(path("/api/v2/resolutions/%d", id), false).WantStatus(http.StatusOK).WantPage("Edit resolution #" + itoa(id))
	cl.Get(path("/api/v2/resolutions/%d", id), true).WantStatus(http.StatusOK).WantSelectors(`[id="resolution-form"]`).WantFragment()

	// A form with a mistake comes back with the error next to the field.
	res := cl.HTMX(http.MethodPost, "/api/v2/resolutions", url.Values{"name": {""}, "type": {"1"}, "enabled": {"false", "true"}}).
		WantStatus(http.StatusUnprocessableEntity)
	res.WantSelectors(`[data-testid="error-name"]`).WantFragment()
	res = cl.HTMX(http.MethodPost, "/api/v2/resolutions", url.Values{"name": {"Duplicate client"}, "type": {"4"}, "enabled": {"false"}}).
		WantStatus(http.StatusCreated)
	if res.Header.Get("HX-Redirect") != "/api/v2/resolutions" {
		t.Errorf("no redirect after create: %v", res.Header)
	}
	var l struct {
		Data []struct {
			Name    string
			Enabled bool
		}
	}
	api(q.env, q.checker, http.MethodGet, "/api/v2/resolutions?filter[name]=Duplicate", nil).Decode(&l)
	if len(l.Data) != 1 || l.Data[0].Enabled {
		t.Errorf("unticked box made %v", l.Data)
	}
	res = cl.HTMX(http.MethodPut, path("/api/v2/resolutions/%d", id), url.Values{"name": {"Blurry scan"}, "type": {"1"}, "text": {""},
		"enabled": {"false", "true"}}).WantStatus(http.StatusOK)
	if res.Header.Get("HX-Redirect") == "" {
		t.Errorf("no redirect after edit")
	}
	res = cl.HTMX(http.MethodDelete, path("/api/v2/resolutions/%d", id), nil).WantStatus(http.StatusOK)
	res.WantSelectors(`[id="resolutions-table"]`).WantFragment("Duplicate client")
	if strings.Contains(string(res.Body), "Blurry scan") {
		t.Errorf("deleted resolution still listed")
	}
}
