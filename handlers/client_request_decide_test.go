package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cardconsole/internal/apptest"
)

func TestSubmitterCannotDecideAndDecisionsHappenOnce(t *testing.T) {
	t.Parallel()
	q := newQueue(t)
	admin := q.env.Operator("admin@example.com", false, apptest.Grant{Partner: q.partner, Roles: []string{"admin"}}).Login()
	res := api(q.env, admin, http.MethodPost, "/api/v2/applications", map[string]any{"clientId": q.client, "type": "archive"}).
		WantStatus(http.StatusCreated)
	own := int64(res.JSON()["id"].(float64))
	resID := q.resolution(t, "Incomplete")

	// The admin holds approvals:update but submitted the request.
	api(q.env, admin, http.MethodPost, path("/api/v2/applications/%d/approve", own), map[string]any{}).WantError(http.StatusForbidden, "7005")
	api(q.env, admin, http.MethodPost, path("/api/v2/applications/%d/reject", own), map[string]any{"resolutionId": resID}).
		WantError(http.StatusForbidden, "7005")
	// The maker may see requests but not decide them.
	api(q.env, q.submitter, http.MethodPost, path("/api/v2/applications/%d/approve", own), map[string]any{}).
		WantError(http.StatusForbidden, "7005")

	res = api(q.env, q.checker, http.MethodPost, path("/api/v2/applications/%d/approve", own), map[string]any{"data": []string{"Looks fine", " ", "Second"}})
	res.WantStatus(http.StatusNoContent)
	if len(res.Body) != 0 {
		t.Errorf("approve answered a body: %s", res.Body)
	}
	detail := api(q.env, q.checker, http.MethodGet, path("/api/v2/applications/%d", own), nil).WantStatus(http.StatusOK).JSON()
	comments := detail["comments"].([]any)
	if detail["statusId"] != float64(1) || detail["decidedByLabel"] != "checker@example.com" || detail["decidedAt"] == nil ||
		len(comments) != 2 || comments[0].(map[string]any)["body"] != "Looks fine" {
		t.Errorf("approved request = %v", detail)
	}
	// Decided once: approving or rejecting again is a conflict, and nothing changes.
	api(q.env, q.checker, http.MethodPost, path("/api/v2/applications/%d/approve", own), map[string]any{}).WantError(http.StatusConflict, "7011")
	api(q.env, q.checker, http.MethodPost, path("/api/v2/applications/%d/reject", own), map[string]any{"resolutionId": resID}).
		WantError(http.StatusConflict, "7011")
	api(q.env, q.checker, http.MethodPost, "/api/v2/applications/999999/approve", map[string]any{}).WantError(http.StatusNotFound, "7010")
	// Too many or too long comments are refused before anything happens.
	other := q.submit(t, q.client, "archive", nil)
	long := make([]string, 21)
	for i := range long {
		long[i] = "c"
	}
	api(q.env, q.checker, http.MethodPost, path("/api/v2/applications/%d/approve", other), map[string]any{"data": long}).
		WantError(http.StatusBadRequest, "7000")
	api(q.env, q.checker, http.MethodPost, path("/api/v2/applications/%d/approve", other), "{not json").
		WantError(http.StatusBadRequest, "7000")
}

func TestRejectNeedsAnEnabledResolutionOfThePartner(t *testing.T) {
	t.Parallel()
	q := newQueue(t)
	id := q.submit(t, q.client, "document", map[string]any{"documentReference": "PASS-1"})
	resID := q.resolution(t, "Blurry document")
	disabled := q.resolution(t, "Old reason")
	api(q.env, q.checker, http.MethodPut, path("/api/v2/resolutions/%d", disabled), map[string]any{"enabled": false}).WantStatus(http.StatusOK)
	p2 := q.env.Partner("Andes", "USD")
	admin2 := q.env.Operator("admin2@example.com", false, apptest.Grant{Partner: p2, Roles: []string{"admin"}}).Login()
	res := api(q.env, admin2, http.MethodPost, "/api/v2/resolutions", map[string]any{"type": 2, "name": "Other partner"}).
		WantStatus(http.StatusCreated)
	foreign := int64(res.JSON()["id"].(float64))

	reject := func(body map[string]any) *apptest.Response {
		return api(q.env, q.checker, http.MethodPost, path("/api/v2/applications/%d/reject", id), body)
	}
	for name, body := range map[string]map[string]any{
		"no resolution":             {"data": []string{"no"}},
		"unknown resolution":        {"resolutionId": 999999},
		"disabled resolution":       {"resolutionId": disabled},
		"another partner's":         {"resolutionId": foreign},
		"type of another":           {"resolutionId": resID, "resolutionType": 3},
		"resolution id as a string": {"resolutionId": "abc"},
	} {
		t.Run(name, func(t *testing.T) {
			res := reject(body).WantStatus(http.StatusBadRequest)
			if res.ErrorCode() != "7000" {
				t.Errorf("code = %s", res.ErrorCode())
			}
		})
	}
	if got := api(q.env, q.checker, http.MethodGet, path("/api/v2/applications/%d", id), nil).JSON()["statusId"]; got != float64(0) {
		t.Fatalf("refused rejections changed the status to %v", got)
	}
	reject(map[string]any{"resolutionId": resID, "resolutionType": 1, "data": []string{"Ask for a new scan"}}).WantStatus(http.StatusNoContent)
	detail := api(q.env, q.checker, http.MethodGet, path("/api/v2/applications/%d", id), nil).JSON()
	if detail["statusId"] != float64(2) || detail["status"] != "rejected" || detail["resolutionId"] != float64(resID) ||
		detail["resolutionType"] != float64(1) || detail["resolutionName"] != "Blurry document" {
		t.Errorf("rejected request = %v", detail)
	}
	// A rejected document request does not verify the client.
	var verified bool
	if err := q.env.Store.DB().GetContext(context.Background(), &verified, `SELECT verified_at IS NOT NULL FROM cardholders WHERE id = $1`,
		q.client); err != nil || verified {
		t.Errorf("client verified after a rejection (%v)", err)
	}
	// A cited resolution cannot be deleted, only disabled.
	api(q.env, q.checker, http.MethodDelete, path("/api/v2/resolutions/%d", resID), nil).WantError(http.StatusConflict, "7011")
}

func TestApprovalAppliesCardholderEffects(t *testing.T) {
	t.Parallel()
	q := newQueue(t)
	st := q.env.Store
	ctx := context.Background()
	approve := func(id int64) {
		t.Helper()
		api(q.env, q.checker, http.MethodPost, path("/api/v2/applications/%d/approve", id), nil).WantStatus(http.StatusNoContent)
	}
	var ch struct {
		Name, LastName, Email, Phone, Marital, Gender, Birth, Country, Address string
		Verified                                                               *string
		Reference                                                              *string
	}
	read := func() {
		t.Helper()
		err := st.DB().QueryRowContext(ctx, `SELECT name, last_name, email, phone_number, marital_status, gender,
			date_of_birth::text, country_of_birth, address, verified_at::text, verification_reference FROM cardholders WHERE id = $1`, q.client).
			Scan(&ch.Name, &ch.LastName, &ch.Email, &ch.Phone, &ch.Marital, &ch.Gender, &ch.Birth, &ch.Country, &ch.Address, &ch.Verified, &ch.Reference)
		if err != nil {
			t.Fatal(err)
		}
	}

	approve(q.submit(t, q.client, "profile", map[string]any{"name": "Lucía", "email": "LUCIA@example.com", "phoneNumber": "+50255550000",
		"maritalStatus": "casado", "gender": "OTHER", "dateOfBirth": "1985-03-04", "countryOfBirth": "MX"}))
	read()
	if ch.Name != "Lucía" || ch.LastName != "Pérez" || ch.Email != "lucia@example.com" || ch.Phone != "+50255550000" ||
		ch.Marital != "casado" || ch.Gender != "OTHER" || ch.Birth != "1985-03-04" || ch.Country != "MX" || ch.Address != "Calle 1" {
		t.Errorf("after profile: %+v", ch)
	}
	approve(q.submit(t, q.client, "address", map[string]any{"address": "Avenida Reforma 10, zona 9"}))
	read()
	if ch.Address != "Avenida Reforma 10, zona 9" || ch.Name != "Lucía" {
		t.Errorf("after address: %+v", ch)
	}
	if ch.Verified != nil {
		t.Fatalf("verified before any verification")
	}
	approve(q.submit(t, q.client, "verification", map[string]any{"documentReference": "DPI-2345678901234"}))
	read()
	if ch.Verified == nil || ch.Reference == nil || *ch.Reference != "DPI-2345678901234" {
		t.Errorf("after verification: %+v", ch)
	}
	approve(q.submit(t, q.client, "document", map[string]any{"documentReference": "PASSPORT-X1"}))
	read()
	if ch.Reference == nil || *ch.Reference != "PASSPORT-X1" {
		t.Errorf("after document: %+v", ch)
	}

	// The other types record the decision and change nothing else.
	before := *ch.Verified
	var balances string
	if err := st.DB().GetContext(ctx, &balances, `SELECT string_agg(balance::text, ',' ORDER BY id) FROM accounts`); err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{"account", "archive", "clientType", "external", "investment", "partner"} {
		id := q.submit(t, q.client, typ, map[string]any{"reason": "asked at the branch", "level": 2})
		approve(id)
		detail := api(q.env, q.checker, http.MethodGet, path("/api/v2/applications/%d", id), nil).JSON()
		if detail["statusId"] != float64(1) || detail["payload"].(map[string]any)["reason"] != "asked at the branch" {
			t.Errorf("%s: %v", typ, detail)
		}
	}
	read()
	var after string
	if err := st.DB().GetContext(ctx, &after, `SELECT string_agg(balance::text, ',' ORDER BY id) FROM accounts`); err != nil {
		t.Fatal(err)
	}
	if *ch.Verified != before || ch.Address != "Avenida Reforma 10, zona 9" || after != balances {
		t.Errorf("a record-only approval changed something: %+v, balances %s → %s", ch, balances, after)
	}
	var history int
	if err := st.DB().GetContext(ctx, &history, `SELECT count(*) FROM audit_log WHERE action = 'client_request.approve'`); err != nil {
		t.Fatal(err)
	}
	if history != 10 {
		t.Errorf("%d approvals audited, want 10", history)
	}
}

func TestConsoleDecisions(t *testing.T) {
	t.Parallel()
	q := newQueue(t)
	resID := q.resolution(t, "Not eligible")
	a := q.submit(t, q.client, "verification", map[string]any{"documentReference": "DPI-9"})
	b := q.submit(t, q.client, "archive", nil)
	cl := q.env.SignIn(q.checker.Email)

	res := cl.HTMX(http.MethodPost, path("/api/v2/applications/%d/approve", a), url.Values{"data": {"first line\r\nsecond line"}}).
		WantStatus(http.StatusOK)
	res.WantSelectors(`[id="request-detail"]`).WantFragment("Request #"+itoa(a)+" approved.", "first line", "second line", "Verified")
	// Deciding again shows the conflict in the flash area.
	res = cl.HTMX(http.MethodPost, path("/api/v2/applications/%d/approve", a), url.Values{}).WantStatus(http.StatusConflict)
	if res.Header.Get("HX-Retarget") != "#flash" {
		t.Errorf("conflict not shown in the flash area: %v", res.Header)
	}
	// Rejecting without a resolution re-renders the form with the error next to the field.
	res = cl.HTMX(http.MethodPost, path("/api/v2/applications/%d/reject", b), url.Values{"resolutionId": {""}}).
		WantStatus(http.StatusUnprocessableEntity)
	res.WantSelectors(`[data-testid="error-resolutionId"]`, `[data-testid="reject-form"]`).WantFragment()
	res = cl.HTMX(http.MethodPost, path("/api/v2/applications/%d/reject", b), url.Values{"resolutionId": {itoa(resID)}, "data": {"no"}}).
		WantStatus(http.StatusOK)
	res.WantFragment("Request #"+itoa(b)+" rejected.", "resolution: Not eligible")
	// The reject form asks for confirmation before it is sent.
	c := q.submit(t, q.client, "archive", nil)
	cl.Get(path("/api/v2/applications/%d", c), false).WantPage(`hx-confirm="Reject request #` + itoa(c))

	// Audit: a fragment for HTMX, the request page for a plain post.
	res = cl.HTMX(http.MethodPost, path("/api/v2/applications/%d/audit", c), nil).WantStatus(http.StatusOK)
	res.WantSelectors(`[data-testid="audit-result"]`).WantFragment("All OK")
}

func TestConsoleSubmitsARequestForAClient(t *testing.T) {
	t.Parallel()
	q := newQueue(t)
	cl := q.env.SignIn(q.submitter.Email)
	cl.Get("/api/v2/applications/new", false).WantStatus(http.StatusOK).WantSelectors(`[data-testid="request-form"]`, `[name="payload.cardId"]`).WantPage()
	// Changing the type redraws the payload fields.
	cl.Get("/api/v2/applications/new?type=address&clientId=5", true).WantStatus(http.StatusOK).WantSelectors(`[id="request-form"]`, `[name="payload.address"]`).WantFragment(`value="5"`)
	cl.Get("/api/v2/applications/new?type=external", true).WantStatus(http.StatusOK).WantSelectors(`[name="payloadJson"]`).WantFragment()

	// A mistake comes back with the errors beside the fields, the values kept.
	res := cl.HTMX(http.MethodPost, "/api/v2/applications", url.Values{"clientId": {itoa(q.client)}, "type": {"withdrawal"},
		"payload.cardId": {itoa(q.card.ID)}, "payload.amount": {"12.345678"}}).WantStatus(http.StatusUnprocessableEntity)
	res.WantSelectors(`[data-testid="error-payload.amount"]`).WantFragment(`value="12.345678"`)
	res = cl.HTMX(http.MethodPost, "/api/v2/applications", url.Values{"clientId": {"abc"}, "type": {"archive"}}).
		WantStatus(http.StatusUnprocessableEntity)
	res.WantSelectors(`[data-testid="error-clientId"]`).WantFragment()
	res = cl.HTMX(http.MethodPost, "/api/v2/applications", url.Values{"clientId": {itoa(q.client)}, "type": {"external"},
		"payloadJson": {"[1, 2]"}}).WantStatus(http.StatusUnprocessableEntity)
	res.WantSelectors(`[data-testid="error-payload"]`).WantFragment()

	res = cl.HTMX(http.MethodPost, "/api/v2/applications", url.Values{"clientId": {itoa(q.client)}, "type": {"withdrawal"},
		"payload.cardId": {itoa(q.card.ID)}, "payload.amount": {"12.50"}}).WantStatus(http.StatusCreated)
	loc := res.Header.Get("HX-Redirect")
	if !strings.HasPrefix(loc, "/api/v2/applications/") {
		t.Fatalf("no redirect to the request: %v", res.Header)
	}
	detail := cl.Get(loc, false).WantStatus(http.StatusOK)
	detail.WantSelectors(`[data-testid="own-request"]`).WantPage("Request #", "submitted.", "Withdrawal request Q 12.50")
	// Operators without cardholders:update have no form.
	ck := q.env.SignIn(q.checker.Email)
	ck.Get("/api/v2/applications/new", false).WantStatus(http.StatusForbidden)
	if strings.Contains(string(ck.Get("/api/v2/applications", false).Body), `data-testid="request-new"`) {
		t.Errorf("the checker is offered the new request form")
	}

	// A plain (non-HTMX) audit post gets the request page with the result.
	id := strings.TrimPrefix(loc, "/api/v2/applications/")
	ck.Get(loc, false)
	req, _ := http.NewRequest(http.MethodPost, q.env.Server.URL+loc+"/audit", strings.NewReader(url.Values{"_csrf": {ck.CSRF}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	page := ck.Do(req).WantStatus(http.StatusOK)
	page.WantSelectors(`[data-testid="audit-result"]`).WantPage("Withdrawal request Q 12.50", "less than the Q 12.50 to withdraw", "#"+id)
}
