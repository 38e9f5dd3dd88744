package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cardconsole/internal/apptest"
)

// send calls the applications API as the operator with a body of the given content type.
func send(q *queue, op *apptest.Operator, method, path, contentType, body string) *apptest.Response {
	q.env.T.Helper()
	req, err := http.NewRequest(method, q.env.Server.URL+path, strings.NewReader(body))
	if err != nil {
		q.env.T.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+op.Token)
	return q.env.Send(req)
}

const formType = "application/x-www-form-urlencoded"

// The vendor's curl examples send form fields: the colour, approve and reject routes read them as
// they read JSON, under both the /api/v2 and the /v2 paths; any other body type is refused with 415
// and changes nothing.
func TestApplicationsAPIReadsTheVendorsFormBodies(t *testing.T) {
	t.Parallel()
	q := newQueue(t)
	id := q.submit(t, q.client, "archive", nil)
	one := path("/api/v2/applications/%d", id)
	unprefixed := path("/v2/applications/%d", id)

	res := send(q, q.checker, http.MethodPut, one, formType, "color=%23fbe1e3").WantStatus(http.StatusOK)
	if res.JSON()["color"] != "#fbe1e3" {
		t.Fatalf("form colour answered %s", res.Body)
	}
	if got := api(q.env, q.checker, http.MethodGet, unprefixed, nil).WantStatus(http.StatusOK).JSON()["color"]; got != "#fbe1e3" {
		t.Fatalf("GET %s: colour %v", unprefixed, got)
	}
	// The vendor's literal example, `-d color=#fbe1e3`, is the same form.
	send(q, q.checker, http.MethodPut, unprefixed, formType, "color=#fbe1e3").WantStatus(http.StatusOK)
	send(q, q.checker, http.MethodPut, unprefixed, "text/plain", "color=").WantError(http.StatusUnsupportedMediaType, "7013")
	if got := api(q.env, q.checker, http.MethodGet, one, nil).WantStatus(http.StatusOK).JSON()["color"]; got != "#fbe1e3" {
		t.Fatalf("a refused body changed the colour to %v", got)
	}
	api(q.env, q.checker, http.MethodPut, unprefixed, map[string]any{"color": ""}).WantStatus(http.StatusOK)
	if got := api(q.env, q.checker, http.MethodGet, unprefixed, nil).WantStatus(http.StatusOK).JSON()["color"]; got != nil && got != "" {
		t.Fatalf("clearing through /v2 left colour %v", got)
	}

	// Approve keeps the form's comments: one per data field, and one per line within a field.
	form := url.Values{"data": {"Looks fine", "Checked twice\nwith the client"}}
	res = send(q, q.checker, http.MethodPost, one+"/approve", formType, form.Encode()).WantStatus(http.StatusNoContent)
	if len(res.Body) != 0 {
		t.Errorf("approve answered a body: %s", res.Body)
	}
	detail := api(q.env, q.checker, http.MethodGet, one, nil).WantStatus(http.StatusOK).JSON()
	comments, _ := detail["comments"].([]any)
	if detail["statusId"] != float64(1) || len(comments) != 3 || comments[0].(map[string]any)["body"] != "Looks fine" {
		t.Fatalf("approved by form: %v", detail)
	}

	// Reject reads the resolution and the comments from the form.
	other := q.submit(t, q.client, "archive", nil)
	resID := q.resolution(t, "Incomplete")
	form = url.Values{"resolutionId": {path("%d", resID)}, "data": {"Missing page"}}
	send(q, q.checker, http.MethodPost, path("/api/v2/applications/%d/reject", other), "text/plain", form.Encode()).
		WantError(http.StatusUnsupportedMediaType, "7013")
	send(q, q.checker, http.MethodPost, path("/api/v2/applications/%d/reject", other), formType, form.Encode()).
		WantStatus(http.StatusNoContent)
	detail = api(q.env, q.checker, http.MethodGet, path("/api/v2/applications/%d", other), nil).WantStatus(http.StatusOK).JSON()
	comments, _ = detail["comments"].([]any)
	if detail["decidedAt"] == nil || detail["statusId"] == float64(1) || len(comments) != 1 || comments[0].(map[string]any)["body"] != "Missing page" {
		t.Fatalf("rejected by form: %v", detail)
	}
}

// A route that reads JSON only refuses a form body with 415 instead of reading it as empty.
func TestJSONOnlyRoutesRefuseFormBodies(t *testing.T) {
	t.Parallel()
	q := newQueue(t)
	h := q.checker.Headers()
	h["Content-Type"] = formType
	q.env.Do(http.MethodPut, "/cms/rest/app/users/auth/otp", h, "otp=123456").WantError(http.StatusUnsupportedMediaType, "7013")
	h["Content-Type"] = "text/plain"
	q.env.Do(http.MethodPost, "/cms/rest/app/users/refresh", h, `{"refreshToken":"x"}`).WantError(http.StatusUnsupportedMediaType, "7013")
}
