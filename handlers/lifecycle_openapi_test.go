package handlers_test

import (
	"encoding/json"
	"testing"

	"cardconsole/web/openapi"
)

// Every route of the cardholder lifecycle is in the OpenAPI document.
func TestLifecycleRoutesAreDocumented(t *testing.T) {
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
	p, h := "/cms/rest/app/partners/{partnerId}", "/cms/rest/app/partners/{partnerId}/cardholders/{cardholderId}"
	c := h + "/cards/{cardId}"
	for path, method := range map[string]string{
		h: "patch", h + "/close": "patch", h + "/activity": "get", c + "/activity": "get", c + "/history": "get",
		c + "/cancel": "patch", c + "/replace": "post", c + "/movements/{transferId}/revert": "post", p + "/reversals": "get", p + "/reversals/stream": "get",
		p + "/reversals/{reversalId}/approve": "patch", p + "/reversals/{reversalId}/reject": "patch", "/cms/rest/app/search": "get",
	} {
		if _, ok := spec.Paths[path][method]; !ok {
			t.Errorf("%s %s is not in the OpenAPI document", method, path)
		}
	}
}
