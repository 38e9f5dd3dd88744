package handlers_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cardconsole/store"
	"cardconsole/web/webtest"
)

// chBrowser is a console session over plain HTTP (webtest.Console) that can also send full-page
// requests of any method, as a form without HTMX would.
type chBrowser struct {
	*webtest.Console
	t   testing.TB
	env *webtest.Env
}

// chLogin signs the operator in through the login form, as a browser would.
func chLogin(t testing.TB, env *webtest.Env, email string) *chBrowser {
	t.Helper()
	c := env.Console()
	c.Login(email, webtest.Password).WantStatus(http.StatusSeeOther)
	if c.CSRF == "" {
		t.Fatal("no CSRF token after login")
	}
	return &chBrowser{Console: c, t: t, env: env}
}

// Page requests a full page; a form travels urlencoded with the session's CSRF token.
func (b *chBrowser) Page(method, path string, form url.Values) *webtest.Response {
	b.t.Helper()
	if method == http.MethodGet && form == nil {
		return b.Get(path, false)
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.env.Server.URL+path, body)
	if err != nil {
		b.t.Fatalf("request: %v", err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "text/html")
	req.Header.Set("X-CSRF-Token", b.CSRF)
	return b.Do(req)
}

// chWantHTML fails unless the body contains every fragment.
func chWantHTML(t testing.TB, res *webtest.Response, fragments ...string) {
	t.Helper()
	body := unescape(string(res.Body))
	for _, f := range fragments {
		if !strings.Contains(body, f) {
			t.Fatalf("the HTML lacks %q:\n%s", f, body)
		}
	}
}

func unescape(s string) string { return html.UnescapeString(s) }

// chIsFullPage reports whether the answer is a whole page (the layout) rather than a fragment.
func chIsFullPage(res *webtest.Response) bool {
	return strings.Contains(strings.ToLower(string(res.Body)), "<!doctype html>")
}

// chStock issues n stock cards of the partner and returns their ids.
func chStock(t testing.TB, env *webtest.Env, partnerID int64, n int) []int64 {
	t.Helper()
	cards, err := env.Store.IssueCards(context.Background(), store.SystemActor("test"), partnerID, n)
	if err != nil {
		t.Fatalf("issue cards: %v", err)
	}
	ids := make([]int64, len(cards))
	for i, c := range cards {
		ids[i] = c.ID
	}
	return ids
}

// chAudit counts the audit rows of an action on an object.
func chAudit(t testing.TB, env *webtest.Env, action, objectID string) int {
	t.Helper()
	var n int
	if err := env.Store.DB().Get(&n, `SELECT count(*) FROM audit_log WHERE action = $1 AND object_id = $2`, action, objectID); err != nil {
		t.Fatalf("count audit rows: %v", err)
	}
	return n
}

// chBody is a valid create body for the card; tests change one field at a time.
func chBody(cardID int64, document string) map[string]any {
	return map[string]any{
		"name": "María José", "lastName": "Ramírez", "address": "Calle Principal 123, Zona 1",
		"countryOfBirth": "GT", "dateOfBirth": "1990-05-12", "maritalStatus": "soltero", "gender": "F",
		"phoneNumber": "50255551234", "email": "maria.ramirez@example.com", "documentType": "DPI",
		"documentNumber": document, "cardId": cardID,
	}
}

// jsonText is a test body value as a form would carry it.
func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
