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

// Every bulk route is in the OpenAPI document.
func TestBulkRoutesAreDocumented(t *testing.T) {
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
	mine := regexp.MustCompile(`/(upload|disbursements/|batch/|batches|bulk$)`)
	checked := 0
	for _, r := range e.Routes() {
		if !mine.MatchString(r.Path) || r.Method == echo.RouteNotFound {
			continue
		}
		path := param.ReplaceAllString(r.Path, "{$1}")
		if _, ok := spec.Paths[path][strings.ToLower(r.Method)]; !ok {
			t.Errorf("%s %s is not in the OpenAPI document", r.Method, path)
		}
		checked++
	}
	if checked != 14 {
		t.Fatalf("%d bulk routes checked, want 14", checked)
	}
}
