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

// Every applications and resolutions route is in the OpenAPI document, except the console's form page.
func TestClientRequestRoutesAreDocumented(t *testing.T) {
	doc, err := openapi.Document()
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(doc, &spec); err != nil {
		t.Fatal(err)
	}
	app, e := web.New(web.Options{SessionKey: []byte("openapi-test-key-openapi-test-key!!")})
	handlers.Routes(e, app)
	param := regexp.MustCompile(`:([A-Za-z]+)`)
	checked := 0
	for _, r := range e.Routes() {
		if !strings.HasPrefix(r.Path, "/api/v2/") || r.Path == "/api/v2/applications/new" || r.Method == echo.RouteNotFound {
			continue
		}
		path := param.ReplaceAllString(r.Path, "{$1}")
		if _, ok := spec.Paths[path][strings.ToLower(r.Method)]; !ok {
			t.Errorf("%s %s is not in the OpenAPI document", r.Method, path)
		}
		checked++
	}
	if checked < 16 {
		t.Fatalf("only %d routes checked", checked)
	}
}
