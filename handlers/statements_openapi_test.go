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

// The statement routes (PDF report, CSV export) are in the OpenAPI document, the PDF as
// application/pdf binary and the CSV as text/csv.
func TestStatementRoutesAreDocumented(t *testing.T) {
	doc, err := openapi.Document()
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Paths map[string]map[string]struct {
			Responses map[string]struct {
				Content map[string]struct {
					Schema map[string]any `json:"schema"`
				} `json:"content"`
			} `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(doc, &spec); err != nil {
		t.Fatal(err)
	}
	app, e := web.New(web.Options{SessionKey: []byte("openapi-test-key-openapi-test-key!!")})
	handlers.Routes(e, app)
	param := regexp.MustCompile(`:([A-Za-z]+)`)
	mine := regexp.MustCompile(`/cards/:cardId/movements/(report|export\.csv)$`)
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
	if checked != 2 {
		t.Fatalf("%d routes checked, want 2", checked)
	}
	base := "/cms/rest/app/partners/{partnerId}/cardholders/{cardholderId}/cards/{cardId}/movements/"
	if s := spec.Paths[base+"report"]["get"].Responses["200"].Content["application/pdf"].Schema; s["format"] != "binary" {
		t.Errorf("the report is documented as %v", s)
	}
	if _, ok := spec.Paths[base+"export.csv"]["get"].Responses["200"].Content["text/csv"]; !ok {
		t.Error("the CSV export is not documented as text/csv")
	}
}
