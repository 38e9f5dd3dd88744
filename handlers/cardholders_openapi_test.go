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

// Every cardholder and card route is in the OpenAPI document, except the console's form page.
func TestCardholderRoutesAreDocumented(t *testing.T) {
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
	mine := regexp.MustCompile(`^/cms/rest/app/partners/:partnerId/(cardholders|cards)`)
	checked := 0
	for _, r := range e.Routes() {
		if !mine.MatchString(r.Path) || r.Path == "/cms/rest/app/partners/:partnerId/cardholders/new" || r.Method == echo.RouteNotFound {
			continue
		}
		// Other features' routes under the same prefix are theirs to document.
		if strings.Contains(r.Path, "/movements") || strings.Contains(r.Path, "/funds") || strings.Contains(r.Path, "/transfers") ||
			strings.Contains(r.Path, "/upload") || strings.Contains(r.Path, "/batch") || strings.HasSuffix(r.Path, "/cards/:cardId") {
			continue
		}
		path := param.ReplaceAllString(r.Path, "{$1}")
		if _, ok := spec.Paths[path][strings.ToLower(r.Method)]; !ok {
			t.Errorf("%s %s is not in the OpenAPI document", r.Method, path)
		}
		checked++
	}
	if checked < 17 {
		t.Fatalf("only %d routes checked", checked)
	}
}
