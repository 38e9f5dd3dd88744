package handlers_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"cardconsole/store"
	"cardconsole/web/webtest"
)

// chBrowser is a console session driven over plain HTTP: the login form, the session cookie and
// the CSRF token the layout hands to HTMX.
type chBrowser struct {
	t      testing.TB
	env    *webtest.Env
	client *http.Client
	csrf   string
}

var (
	chLoginCSRF = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
	chPageCSRF  = regexp.MustCompile(`"X-CSRF-Token":"([^"]+)"`)
)

// chLogin signs the operator in through the login form, as a browser would.
func chLogin(t testing.TB, env *webtest.Env, email string) *chBrowser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &chBrowser{t: t, env: env, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	html := map[string]string{"Accept": "text/html"}
	login := b.send(http.MethodGet, "/login", nil, html).WantStatus(http.StatusOK)
	m := chLoginCSRF.FindSubmatch(login.Body)
	if m == nil {
		t.Fatalf("no CSRF field on the login page")
	}
	b.send(http.MethodPost, "/login", url.Values{"email": {email}, "password": {webtest.Password}, "_csrf": {string(m[1])}}, html).
		WantStatus(http.StatusSeeOther)
	home := b.send(http.MethodGet, "/", nil, html).WantStatus(http.StatusOK)
	m = chPageCSRF.FindSubmatch([]byte(unescape(string(home.Body))))
	if m == nil {
		t.Fatalf("no CSRF token in the layout")
	}
	b.csrf = string(m[1])
	return b
}

// Page requests a full page.
func (b *chBrowser) Page(method, path string, form url.Values) *webtest.Response {
	b.t.Helper()
	return b.send(method, path, form, map[string]string{"Accept": "text/html", "X-CSRF-Token": b.csrf})
}

// HTMX requests a fragment, as HTMX does.
func (b *chBrowser) HTMX(method, path string, form url.Values) *webtest.Response {
	b.t.Helper()
	return b.send(method, path, form, map[string]string{"Accept": "text/html", "HX-Request": "true", "X-CSRF-Token": b.csrf})
}

func (b *chBrowser) send(method, path string, form url.Values, headers map[string]string) *webtest.Response {
	b.t.Helper()
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
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatalf("read body: %v", err)
	}
	return &webtest.Response{T: b.t, Status: res.StatusCode, Header: res.Header, Body: raw}
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
