package handlers_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"cardconsole/handlers"
	"cardconsole/web"
	"cardconsole/web/openapi"
)

// consoleOnly are the routes that serve the console's pages and forms only: they answer HTML to a
// signed-in browser and are no part of the API, so the OpenAPI document leaves them out. Keep it
// short: a route that answers JSON to an API client belongs in the document.
var consoleOnly = map[string]string{
	"GET /login":              "the sign-in page",
	"POST /login":             "the sign-in form; answers a redirect with the session cookie",
	"POST /logout":            "signs the browser session out; API clients use POST /cms/rest/app/users/logout",
	"GET /static*":            "the console's stylesheets, scripts and images",
	"GET /login/code":         "the sign-in's one-time-code step; API clients use POST /cms/rest/app/users/login/otp",
	"POST /login/code":        "the code step's form; answers a redirect with the session cookie",
	"POST /session/keepalive": "the idle warning's \"stay signed in\" button (static/js/idle.js)",
	"POST /language":          "the header's language picker; the choice is kept on the operator",
	"GET /":                   "the dashboard",
	"GET /cms/rest/app/partners/{partnerId}/cardholders/new": "the new-cardholder form",
	"GET /api/v2/applications/new":                           "the new-request form of the console",
}

var routeParam = regexp.MustCompile(`:([A-Za-z]+)`)

// documentedPaths is the served document's paths with their operations.
func documentedPaths(t *testing.T) map[string]map[string]json.RawMessage {
	t.Helper()
	doc, err := openapi.Document()
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(doc, &spec); err != nil {
		t.Fatal(err)
	}
	return spec.Paths
}

// Every route of the router is in the OpenAPI document or on the short console-only list, and
// every operation of the document is a route: neither can drift from the other.
func TestEveryRouteIsDocumented(t *testing.T) {
	t.Parallel()
	paths := documentedPaths(t)
	app, e := web.New(web.Options{SessionKey: []byte("openapi-test-key-openapi-test-key!!")})
	handlers.Routes(e, app)
	served := map[string]bool{}
	for _, r := range e.Routes() {
		if r.Method == echo.RouteNotFound {
			continue
		}
		path := routeParam.ReplaceAllString(r.Path, "{$1}")
		key := r.Method + " " + path
		served[key] = true
		_, documented := paths[path][strings.ToLower(r.Method)]
		_, console := consoleOnly[key]
		switch {
		case documented && console:
			t.Errorf("%s is documented and on the console-only list: take it off the list", key)
		case !documented && !console:
			t.Errorf("%s is not in the OpenAPI document (web/openapi/*.json) nor on the console-only list", key)
		}
	}
	for key := range consoleOnly {
		if !served[key] {
			t.Errorf("console-only route %s is not served: take it off the list", key)
		}
	}
	methods := map[string]bool{"get": true, "put": true, "post": true, "delete": true, "patch": true, "head": true, "options": true}
	for path, item := range paths {
		for method := range item {
			if methods[method] && !served[strings.ToUpper(method)+" "+path] {
				t.Errorf("the document has %s %s, which the router does not serve", strings.ToUpper(method), path)
			}
		}
	}
}

// The statement routes are documented as what they answer: the PDF as application/pdf binary and
// the CSV as text/csv.
func TestStatementRoutesDocumentTheirMediaTypes(t *testing.T) {
	t.Parallel()
	paths := documentedPaths(t)
	var op struct {
		Responses map[string]struct {
			Content map[string]struct {
				Schema map[string]any `json:"schema"`
			} `json:"content"`
		} `json:"responses"`
	}
	base := "/cms/rest/app/partners/{partnerId}/cardholders/{cardholderId}/cards/{cardId}/movements/"
	if err := json.Unmarshal(paths[base+"report"]["get"], &op); err != nil {
		t.Fatal(err)
	}
	if s := op.Responses["200"].Content["application/pdf"].Schema; s["format"] != "binary" {
		t.Errorf("the report is documented as %v", s)
	}
	op.Responses = nil
	if err := json.Unmarshal(paths[base+"export.csv"]["get"], &op); err != nil {
		t.Fatal(err)
	}
	if _, ok := op.Responses["200"].Content["text/csv"]; !ok {
		t.Error("the CSV export is not documented as text/csv")
	}
}
