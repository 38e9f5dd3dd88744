package handlers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"cardconsole/internal/apptest"
	"cardconsole/store"
	"cardconsole/store/storetest"
)

func TestTagRestrictedOperatorSeesOnlyTaggedClients(t *testing.T) {
	t.Parallel()
	q := newQueue(t)
	st := q.env.Store
	ctx := context.Background()
	sys := store.SystemActor("test")
	vip := q.client
	plain := storetest.Cardholder(t, st, q.partner)
	if _, err := st.SetCardholderTags(ctx, sys, q.partner, vip, []string{"VIP ", "north"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetCardholderTags(ctx, sys, q.partner, plain, []string{"south"}); err != nil {
		t.Fatal(err)
	}
	seen := q.submit(t, vip, "archive", nil)
	hidden := q.submit(t, plain, "verification", map[string]any{"documentReference": "D-1"})
	q.submit(t, plain, "archive", nil)

	// A second partner where the same operator is not restricted.
	p2 := q.env.Partner("Andes", "USD")
	other := storetest.Cardholder(t, st, p2)
	restricted := q.env.Operator("tagged@example.com", false,
		apptest.Grant{Partner: q.partner, Roles: []string{"checker"}}, apptest.Grant{Partner: p2, Roles: []string{"admin"}}).Login()
	tags, err := st.RestrictOperator(ctx, sys, restricted.ID, q.partner, []string{"vip", "vip", "west"})
	if err != nil || strings.Join(tags, ",") != "vip,west" {
		t.Fatalf("restrict: %v %v", tags, err)
	}
	if _, err := st.RestrictOperator(ctx, sys, restricted.ID, q.partner, []string{"Not a tag!"}); !store.IsCode(err, store.CodeCheckParameters) {
		t.Errorf("bad tag accepted: %v", err)
	}
	// The admin of p2 submits there, so the restricted operator has one visible request on p2 too.
	admin2 := q.env.Operator("admin2@example.com", false, apptest.Grant{Partner: p2, Roles: []string{"admin"}}).Login()
	res := api(q.env, admin2, http.MethodPost, "/api/v2/applications", map[string]any{"clientId": other, "type": "archive"}).
		WantStatus(http.StatusCreated)
	otherReq := int64(res.JSON()["id"].(float64))

	list := api(q.env, restricted, http.MethodGet, "/api/v2/applications", nil).WantStatus(http.StatusOK)
	if got := ids(t, list); total(t, list) != 2 || len(got) != 2 || got[0] != seen || got[1] != otherReq {
		t.Errorf("restricted list = %v (total %d)", got, total(t, list))
	}
	if n := total(t, api(q.env, restricted, http.MethodGet, path("/api/v2/applications?filter[clientId]=%d", plain), nil)); n != 0 {
		t.Errorf("filtering by a hidden client finds %d", n)
	}
	// Everyone else still sees all three of the partner.
	if n := total(t, api(q.env, q.checker, http.MethodGet, "/api/v2/applications", nil)); n != 3 {
		t.Errorf("unrestricted checker sees %d, want 3", n)
	}

	// Detail and every action on a hidden request: not found.
	api(q.env, restricted, http.MethodGet, path("/api/v2/applications/%d", hidden), nil).WantError(http.StatusNotFound, "7010")
	api(q.env, restricted, http.MethodGet, path("/api/v2/applications/%d", seen), nil).WantStatus(http.StatusOK)
	for _, action := range []string{"approve", "audit"} {
		api(q.env, restricted, http.MethodPost, path("/api/v2/applications/%d/%s", hidden, action), map[string]any{}).
			WantError(http.StatusNotFound, "7010")
	}
	api(q.env, restricted, http.MethodPatch, path("/api/v2/applications/%d", hidden), map[string]any{"color": "#ffffff"}).
		WantError(http.StatusNotFound, "7010")

	// Counts: notifications and the bell.
	var n struct {
		Total int
		Data  []struct{ Link string }
	}
	api(q.env, restricted, http.MethodGet, "/api/v2/applications/notifications", nil).WantStatus(http.StatusOK).Decode(&n)
	if n.Total != 2 || len(n.Data) != 2 {
		t.Errorf("restricted notifications = %+v", n)
	}
	for _, d := range n.Data {
		if strings.HasSuffix(d.Link, "/"+itoa(hidden)) {
			t.Errorf("notification links the hidden request: %+v", n)
		}
	}
	if c, err := st.CountPendingRequests(ctx, store.OperatorViewer(restricted.ID, "approvals:list")); err != nil || c != 2 {
		t.Errorf("pending count = %d (%v), want 2", c, err)
	}
	cl := q.env.SignIn(restricted.Email)
	page := cl.Get("/api/v2/applications", false).WantStatus(http.StatusOK)
	page.WantPage(`data-testid="bell-count">2<`)
	if rows := strings.Count(string(page.Body), `data-testid="request-row"`); rows != 2 {
		t.Errorf("console rows = %d, want 2", rows)
	}
	// The export has only what the list has.
	csv := api(q.env, restricted, http.MethodGet, "/api/v2/applications/export", nil).WantStatus(http.StatusOK)
	if lines := strings.Count(strings.TrimSpace(string(csv.Body)), "\n"); lines != 2 {
		t.Errorf("export has %d rows, want 2: %s", lines, csv.Body)
	}
	// Cardholders too: the hidden client cannot be the subject of a new request by this operator.
	if ok, err := st.CardholderVisible(ctx, restricted.ID, q.partner, plain); err != nil || ok {
		t.Errorf("hidden cardholder visible = %v (%v)", ok, err)
	}
	if ok, err := st.CardholderVisible(ctx, restricted.ID, q.partner, vip); err != nil || !ok {
		t.Errorf("tagged cardholder visible = %v (%v)", ok, err)
	}
	res = api(q.env, restricted, http.MethodPost, "/api/v2/applications", map[string]any{"clientId": other, "type": "archive"})
	res.WantStatus(http.StatusCreated) // unrestricted on p2
	if err := st.Grant(ctx, sys, restricted.ID, q.partner, nil, []string{"cardholders:update"}); err != nil {
		t.Fatal(err)
	}
	api(q.env, restricted, http.MethodPost, "/api/v2/applications", map[string]any{"clientId": plain, "type": "archive"}).
		WantError(http.StatusNotFound, "7100")

	// The client list and every cardholder or card route hide the other clients too.
	cms := func(method, p string) *apptest.Response {
		return restricted.Do(method, path("/cms/rest/app/partners/%d%s", q.partner, p), nil)
	}
	var holders struct {
		Data struct {
			Items []struct{ ID int64 }
			Total int
		}
	}
	cms(http.MethodGet, "/cardholders").WantStatus(http.StatusOK).Decode(&holders)
	if holders.Data.Total != 1 || len(holders.Data.Items) != 1 || holders.Data.Items[0].ID != vip {
		t.Errorf("restricted cardholder list = %+v", holders.Data)
	}
	cms(http.MethodGet, "/cardholders?searchText=example").WantStatus(http.StatusOK).Decode(&holders)
	if holders.Data.Total != 1 {
		t.Errorf("restricted search finds %d", holders.Data.Total)
	}
	cms(http.MethodPost, path("/cardholders/%d", plain)).WantError(http.StatusNotFound, "7100")
	cms(http.MethodPost, path("/cardholders/%d", vip)).WantStatus(http.StatusOK)
	cms(http.MethodGet, path("/cardholders/%d/cards", plain)).WantError(http.StatusNotFound, "7100")
	plainCard := storetest.ActiveCard(t, st, q.partner, plain)
	cms(http.MethodPatch, path("/cards/%d/block", plainCard.ID)).WantError(http.StatusNotFound, "7200")
	q.checker.Do(http.MethodGet, path("/cms/rest/app/partners/%d/cardholders", q.partner), nil).WantStatus(http.StatusOK).Decode(&holders)
	if holders.Data.Total != 2 {
		t.Errorf("unrestricted checker lists %d cardholders, want 2", holders.Data.Total)
	}

	// Lifting the restriction shows everything again.
	if _, err := st.RestrictOperator(ctx, sys, restricted.ID, q.partner, nil); err != nil {
		t.Fatal(err)
	}
	api(q.env, restricted, http.MethodGet, path("/api/v2/applications/%d", hidden), nil).WantStatus(http.StatusOK)
}

func TestAuditFindsDiscrepancies(t *testing.T) {
	t.Parallel()
	q := newQueue(t)
	st := q.env.Store
	ctx := context.Background()
	fund(t, st, q.partner, q.card, "100")
	small := q.submit(t, q.client, "withdrawal", map[string]any{"cardId": q.card.ID, "amount": "30"})
	big := q.submit(t, q.client, "withdrawal", map[string]any{"cardId": q.card.ID, "amount": "500"})
	deposit := q.submit(t, q.client, "deposit", map[string]any{"cardId": q.card2.ID, "amount": "1"})

	audit := func(id int64) (map[string]any, []string) {
		t.Helper()
		m := api(q.env, q.checker, http.MethodPost, path("/api/v2/applications/%d/audit", id), nil).WantStatus(http.StatusOK).JSON()
		var lines []string
		for _, l := range m["result"].([]any) {
			lines = append(lines, l.(string))
		}
		return m, lines
	}
	m, lines := audit(small)
	if m["clintId"] != float64(q.client) || m["clientId"] != float64(q.client) || len(lines) != 1 || lines[0] != "All OK" {
		t.Fatalf("clean audit = %v", m)
	}
	_, lines = audit(big)
	if len(lines) != 1 || !strings.Contains(lines[0], "holds 100.00 GTQ, less than the 500.00 GTQ to withdraw") {
		t.Errorf("short withdrawal audit = %q", lines)
	}
	_, lines = audit(deposit)
	if len(lines) != 1 || !strings.Contains(lines[0], "partner's available balance 0.00 GTQ is less than the 1.00 GTQ to deposit") {
		t.Errorf("deposit audit = %q", lines)
	}

	// Someone changes a balance behind the ledger's back.
	if _, err := st.DB().ExecContext(ctx, `UPDATE accounts SET balance = balance + 5 WHERE id = $1`, q.card.AccountID); err != nil {
		t.Fatal(err)
	}
	_, lines = audit(small)
	joined := strings.Join(lines, "\n")
	if len(lines) != 2 || !strings.Contains(joined, "••••"+q.card.Last4+": stored balance 105.00 GTQ, but its 1 movements add up to 100.00 GTQ (difference 5.00 GTQ)") ||
		!strings.Contains(joined, "stored balance 105.00 GTQ, but its last movement left 100.00 GTQ") {
		t.Errorf("tampered balance audit = %q", lines)
	}
	// And a movement whose balance does not follow from the one before it.
	if _, err := st.DB().ExecContext(ctx, `UPDATE accounts SET balance = balance - 5 WHERE id = $1`, q.card.AccountID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().ExecContext(ctx, `UPDATE movements SET amount = 90 WHERE account_id = $1`, q.card.AccountID); err != nil {
		t.Fatal(err)
	}
	_, lines = audit(small)
	joined = strings.Join(lines, "\n")
	if !strings.Contains(joined, "movements add up to 90.00 GTQ") || !strings.Contains(joined, "1 movements do not follow from the balance before them") {
		t.Errorf("tampered movement audit = %q", lines)
	}

	// Each run is in the request's history; auditing needs approvals:update.
	detail := api(q.env, q.checker, http.MethodGet, path("/api/v2/applications/%d", small), nil).JSON()
	if h := detail["history"].([]any); len(h) != 4 || h[1].(map[string]any)["action"] != "client_request.audit" {
		t.Errorf("history = %v", h)
	}
	api(q.env, q.submitter, http.MethodPost, path("/api/v2/applications/%d/audit", small), nil).WantError(http.StatusForbidden, "7005")

	cl := q.env.SignIn(q.checker.Email)
	res := cl.HTMX(http.MethodPost, path("/api/v2/applications/%d/audit", big), nil).WantStatus(http.StatusOK)
	res.WantSelectors(`[data-testid="audit-line"]`).WantFragment("less than the Q 500.00 to withdraw")
}

// The cards list and bulk card actions hide the cards of cardholders outside the operator's tags.
func TestTagRestrictionHidesCards(t *testing.T) {
	t.Parallel()
	q := newQueue(t)
	st := q.env.Store
	ctx := context.Background()
	sys := store.SystemActor("test")
	plain := storetest.Cardholder(t, st, q.partner)
	plainCard := storetest.ActiveCard(t, st, q.partner, plain)
	stock, err := st.IssueCards(ctx, sys, q.partner, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetCardholderTags(ctx, sys, q.partner, q.client, []string{"vip"}); err != nil {
		t.Fatal(err)
	}
	op := q.env.Operator("tagged@example.com", true, apptest.Grant{Partner: q.partner, Roles: []string{"admin"}}).Login()
	if _, err := st.RestrictOperator(ctx, sys, op.ID, q.partner, []string{"vip"}); err != nil {
		t.Fatal(err)
	}
	var cards struct {
		Data struct {
			Items []struct{ ID int64 }
			Total int
		}
	}
	op.Do(http.MethodGet, path("/cms/rest/app/partners/%d/cards?limit=100", q.partner), nil).WantStatus(http.StatusOK).Decode(&cards)
	seen := map[int64]bool{}
	for _, c := range cards.Data.Items {
		seen[c.ID] = true
	}
	if cards.Data.Total != 3 || !seen[q.card.ID] || !seen[q.card2.ID] || !seen[stock[0].ID] || seen[plainCard.ID] {
		t.Errorf("restricted cards list = %+v", cards.Data)
	}
	res := op.Do(http.MethodPatch, path("/cms/rest/app/partners/%d/cardholders/cards/block", q.partner),
		map[string]any{"cardIds": []int64{plainCard.ID, q.card.ID}, "otp": op.OTP()}).WantStatus(http.StatusOK)
	var out struct{ Data store.BulkResult }
	res.Decode(&out)
	if out.Data.Changed != 1 || out.Data.Failed != 1 || out.Data.Results[0].Code != store.CodeCardNotFound {
		t.Errorf("bulk block = %s", res.Body)
	}
	if c, err := st.CardByID(ctx, q.partner, plainCard.ID); err != nil || c.Status != store.CardActive {
		t.Errorf("the hidden card changed: %v %v", c.Status, err)
	}
}
