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

// Every team, account and invitation route is in the OpenAPI document.
func TestTeamRoutesAreDocumented(t *testing.T) {
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
	app, e := web.New(web.Options{SessionKey: []byte("openapi-test-key-openapi-test-key!!")})
	handlers.Routes(e, app)
	param := regexp.MustCompile(`:([A-Za-z]+)`)
	mine := regexp.MustCompile(`^(/cms/rest/app/partners/:partnerId/users|/cms/rest/app/users/me|/cms/rest/app/permissions|/invite/)`)
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
	if checked < 16 {
		t.Fatalf("%d routes checked, want at least 16", checked)
	}
}
