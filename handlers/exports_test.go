package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store"
	"cardconsole/store/storetest"
)

// The cardholder list downloads as CSV and XLSX with the list's search, status and sort: the same
// rows in the same order as the JSON list, masked the same way for an operator who needs a code,
// formulas neutralised, ids and counts numbers in the workbook, the header in the operator's
// language, one audit entry per download, refused without the list's permission.
func TestCardholderExportsAreTheListWithItsFilters(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, handlers.Routes)
	p := env.Partner("Quetzal", "GTQ")
	viewer := env.Operator("viewer@example.com", false, apptest.Grant{Partner: p, Roles: []string{"viewer"}}).Login()
	guarded := env.Operator("guarded@example.com", true, apptest.Grant{Partner: p, Roles: []string{"viewer"},
		Permissions: []string{"cardholders:otp"}}).Login()
	outsider := env.Operator("cards@example.com", false, apptest.Grant{Partner: p, Permissions: []string{"cards-admin:detail"}}).Login()
	formula := chCreate(t, env, p, chPerson("Fernando", "Fórmula", "formula@example.com", "50211110001", "DPI", "1111111111111"))
	// A name that a spreadsheet would take for a formula, as an import from elsewhere could leave it.
	if _, err := env.Store.DB().Exec(`UPDATE cardholders SET name = '=1+2' WHERE id = $1`, formula); err != nil {
		t.Fatal(err)
	}
	chCreate(t, env, p, chPerson("Ana", "Zeta", "ana@example.com", "50211110002", "DPI", "2222222222222"))
	chCreate(t, env, p, chPerson("Bruno", "Alfa", "bruno@example.com", "50211110003", "PASSPORT", "GT3333333"))
	chCreate(t, env, p, chPerson("Carla", "Mejía", "carla@correo.gt", "50211110004", "DPI", "4444444444444"))
	query := url.Values{"searchText": {"example"}, "sortBy": {"lastName"}, "sortOrder": {"desc"}}
	list := partnerPath(p, "/cardholders")
	fields := map[string]string{"id": "id", "name": "name", "lastName": "lastName", "email": "email", "phoneNumber": "phoneNumber",
		"documentType": "documentType", "documentNumber": "documentNumber", "status": "status", "cardCount": "cardCount",
		"createdAt": "createdAt"}

	for _, op := range []*apptest.Operator{viewer, guarded} {
		items := listItems(t, op.Do(http.MethodGet, list+"?"+query.Encode()+"&limit=100", nil).WantStatus(http.StatusOK), "items")
		if len(items) != 3 {
			t.Fatalf("%s: the list has %d cardholders, want 3", op.Email, len(items))
		}
		for _, format := range []string{"csv", "xlsx"} {
			rows := exportRows(t, env, op.Headers(), list+"/export."+format+"?"+query.Encode(), format, "cardholders-"+itoa(p))
			wantRowsOfList(t, op.Email+" "+format, rows, items, fields)
			if got := rows[1+indexOf(items, "lastName", "Fórmula")][column(t, rows[0], "name")]; got != "'=1+2" {
				t.Errorf("%s %s: the formula cell is %q", op.Email, format, got)
			}
		}
		masked := op == guarded
		for _, it := range items {
			if email := it["email"].(string); strings.Contains(email, "••••") != masked {
				t.Errorf("%s: the list shows the email %q", op.Email, email)
			}
		}
	}

	// Numbers stay numbers in the workbook, text is text.
	res := env.Do(http.MethodGet, list+"/export.xlsx?"+query.Encode(), viewer.Headers(), nil).WantStatus(http.StatusOK)
	if typ := xlsxCellType(t, res.Body, "A2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("the id cell's type is %v, want a number", typ)
	}
	if typ := xlsxCellType(t, res.Body, "B2"); typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset {
		t.Errorf("the name cell's type is %v, want text", typ)
	}

	// The header row is in the operator's language.
	es := viewer.Headers()
	es["Accept-Language"] = "es"
	if rows := exportRows(t, env, es, list+"/export.csv", "csv", "cardholders-"+itoa(p)); rows[0][1] != "nombre" || rows[0][9] != "creado" {
		t.Errorf("Spanish header %q", rows[0])
	}

	audits := exportAudits(t, env, "cardholders")
	if len(audits) != 6 { // two per operator above, one more for the workbook's types, one in Spanish
		t.Fatalf("%d downloads audited, want 6: %v", len(audits), audits)
	}
	first := audits[0]
	filters, _ := first["filters"].(map[string]any)
	if first["format"] != "csv" || first["rows"] != float64(3) || first["complete"] != true || filters["searchText"] != "example" ||
		filters["sortBy"] != "lastName" || filters["sortOrder"] != "desc" || filters["masked"] != false {
		t.Errorf("audit entry %v", first)
	}
	if masked, _ := audits[2]["filters"].(map[string]any); masked["masked"] != true {
		t.Errorf("the guarded operator's download is not audited as masked: %v", audits[2])
	}

	// The list's permission is the export's; a bad filter is the list's 400, before any byte.
	for _, format := range []string{"csv", "xlsx"} {
		outsider.Do(http.MethodGet, list+"/export."+format, nil).WantError(http.StatusForbidden, "7005")
		viewer.Do(http.MethodGet, list+"/export."+format+"?sortBy=password", nil).WantError(http.StatusBadRequest, "7000")
	}
	if n := len(exportAudits(t, env, "cardholders")); n != 6 {
		t.Errorf("refused downloads were audited: %d entries", n)
	}
}

// indexOf is the index of the item whose member is value.
func indexOf(items []map[string]any, member, value string) int {
	for i, it := range items {
		if it[member] == value {
			return i
		}
	}
	return -1
}

// The partner's cards download with the list's status filter, newest first, within the operator's
// tag restriction.
func TestCardExportsAreTheListWithItsFilters(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, handlers.Routes)
	p := env.Partner("Quetzal", "GTQ")
	holder := storetest.Cardholder(t, env.Store, p)
	for range 3 {
		storetest.ActiveCard(t, env.Store, p, holder)
	}
	if _, err := env.Store.IssueCards(context.Background(), store.SystemActor("test"), p, 2); err != nil {
		t.Fatal(err)
	}
	op := env.Operator("cards@example.com", false, apptest.Grant{Partner: p, Permissions: []string{"cards-admin:detail"}}).Login()
	outsider := env.Operator("holders@example.com", false, apptest.Grant{Partner: p, Permissions: []string{"cardholders:list"}}).Login()
	fields := map[string]string{"id": "id", "cardholderId": "cardholderId", "status": "status", "balance": "balance",
		"currency": "currency", "createdAt": "createdAt", "updatedAt": "updatedAt"}
	for _, status := range []string{"ACTIVE", "INACTIVE"} {
		items := listItems(t, op.Do(http.MethodGet, partnerPath(p, "/cards?limit=100&status="+status), nil).WantStatus(http.StatusOK), "items")
		for _, format := range []string{"csv", "xlsx"} {
			rows := exportRows(t, env, op.Headers(), partnerPath(p, "/cards/export."+format+"?status="+status), format, "cards-"+itoa(p))
			wantRowsOfList(t, status+" "+format, rows, items, fields)
			for i, it := range items {
				if got, want := rows[i+1][column(t, rows[0], "maskedNumber")], it["bin"].(string)+"******"+it["last4"].(string); got != want {
					t.Errorf("masked number %q, want %q", got, want)
				}
			}
		}
	}
	outsider.Do(http.MethodGet, partnerPath(p, "/cards/export.csv"), nil).WantError(http.StatusForbidden, "7005")
	op.Do(http.MethodGet, partnerPath(p, "/cards/export.xlsx?status=LOST"), nil).WantError(http.StatusBadRequest, "7000")
	if a := exportAudits(t, env, "cards"); len(a) != 4 || a[3]["rows"] != float64(2) || a[3]["format"] != "xlsx" {
		t.Errorf("audit entries %v", a)
	}
}

// The top-up history downloads with its status, search and sort.
func TestTopUpExportsAreTheHistoryWithItsFilters(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, handlers.Routes)
	p := env.Partner("Quetzal", "GTQ")
	maker := env.Operator("maker@example.com", true, apptest.Grant{Partner: p, Roles: []string{"maker"}}).Login()
	for _, amount := range []string{"300.50", "100", "200.25"} {
		createTopUp(t, env, maker, p, amount)
	}
	query := "status=PENDING&q=wire&sort=requestedAmount&order=asc"
	items := listItems(t, maker.Do(http.MethodGet, partnerPath(p, "/process-requests?limit=100&"+query), nil).WantStatus(http.StatusOK), "items")
	if len(items) != 3 || items[0]["requestedAmount"] == items[2]["requestedAmount"] {
		t.Fatalf("history %v", items)
	}
	fields := map[string]string{"id": "id", "requestedAmount": "requestedAmount", "currency": "currency", "status": "status",
		"observations": "observations", "createdByEmail": "createdByEmail", "reviewedByEmail": "reviewedByEmail",
		"evidenceFileName": "evidenceFileName", "createdAt": "createdAt", "decidedAt": "decidedAt"}
	for _, format := range []string{"csv", "xlsx"} {
		rows := exportRows(t, env, maker.Headers(), partnerPath(p, "/process-requests/export."+format+"?"+query), format, "top-ups-"+itoa(p))
		wantRowsOfList(t, format, rows, items, fields)
	}
	viewer := env.Operator("holders@example.com", false, apptest.Grant{Partner: p, Permissions: []string{"cardholders:list"}}).Login()
	viewer.Do(http.MethodGet, partnerPath(p, "/process-requests/export.csv"), nil).WantError(http.StatusForbidden, "7005")
	maker.Do(http.MethodGet, partnerPath(p, "/process-requests/export.csv?sort=fee"), nil).WantError(http.StatusBadRequest, "7000")
	if a := exportAudits(t, env, "top-ups"); len(a) != 2 || a[0]["rows"] != float64(3) {
		t.Errorf("audit entries %v", a)
	}
}

// The client requests queue downloads with its filters and sort, as CSV (the route the console has
// always linked) and as XLSX, with the clients masked as the queue masks them.
func TestClientRequestExportsAreTheQueueWithItsFilters(t *testing.T) {
	t.Parallel()
	q := newQueue(t)
	var ids []int64
	for range 3 {
		ids = append(ids, q.submit(t, q.client, "archive", map[string]any{}))
	}
	q.submit(t, q.client, "deposit", map[string]any{"cardId": q.card.ID, "amount": "12.5"})
	guarded := q.env.Operator("guarded@example.com", true,
		apptest.Grant{Partner: q.partner, Roles: []string{"checker"}, Permissions: []string{"cardholders:otp"}}).Login()
	query := "filter[type]=archive&filter[statusId]=all&sort=-id"
	fields := map[string]string{"id": "id", "partnerId": "partnerId", "clientId": "clientId", "clientName": "clientName",
		"clientEmail": "clientEmail", "type": "type", "statusId": "statusId", "status": "status", "amount": "amount",
		"createdAt": "createdAt", "decidedAt": "decidedAt"}
	for _, op := range []*apptest.Operator{q.checker, guarded} {
		items := listItems(t, api(q.env, op, http.MethodGet, "/api/v2/applications?limit=100&"+query, nil).WantStatus(http.StatusOK), "data")
		if len(items) != 3 || items[0]["id"] != float64(ids[2]) {
			t.Fatalf("queue %v", items)
		}
		if strings.Contains(items[0]["clientEmail"].(string), "••••") != (op == guarded) {
			t.Errorf("%s: the queue shows %v", op.Email, items[0]["clientEmail"])
		}
		headers := map[string]string{"Authorization": "Bearer " + op.Token}
		rows := exportRows(t, q.env, headers, "/api/v2/applications/export?"+query, "csv", "client-requests")
		wantRowsOfList(t, op.Email+" csv", rows, items, fields)
		rows = exportRows(t, q.env, headers, "/api/v2/applications/export?format=xlsx&"+query, "xlsx", "client-requests")
		wantRowsOfList(t, op.Email+" xlsx", rows, items, fields)
	}
	api(q.env, q.checker, http.MethodGet, "/api/v2/applications/export?format=pdf", nil).WantError(http.StatusBadRequest, "7000")
	outsider := q.env.Operator("holders@example.com", false, apptest.Grant{Partner: q.partner, Permissions: []string{"cardholders:list"}}).Login()
	api(q.env, outsider, http.MethodGet, "/api/v2/applications/export?format=xlsx", nil).WantError(http.StatusForbidden, "7005")
	if a := exportAudits(t, q.env, "client-requests"); len(a) != 4 || a[1]["format"] != "xlsx" || a[1]["rows"] != float64(3) {
		t.Errorf("audit entries %v", a)
	}
}

// A card's movements download as the movement list filters them: an open period, any sort.
func TestMovementExportsAreTheListWithItsFilters(t *testing.T) {
	t.Parallel()
	w := newFundsWorld(t, "")
	storetest.CreditPartner(t, w.env.Store, w.partner, "1000")
	loc, _ := time.LoadLocation("America/Guatemala")
	day := time.Date(2026, 3, 10, 9, 0, 0, 0, loc)
	for i, amount := range []string{"50", "10.25", "-5.5", "30"} {
		storetest.CardMovementAt(t, w.env.Store, w.card, amount, day.Add(time.Duration(i)*time.Hour), "REF-"+itoa(int64(i)), "@note")
	}
	storetest.CardMovementAt(t, w.env.Store, w.card, "7", day.AddDate(0, -1, 0), "OLD", "before the period")
	query := "from=2026-03-01&sortBy=amount&sortOrder=asc"
	items := listItems(t, w.maker.Do(http.MethodGet, w.cardPath(w.card.ID, "/movements?limit=100&"+query), nil).WantStatus(http.StatusOK), "items")
	if len(items) != 4 {
		t.Fatalf("movements %v", items)
	}
	fields := map[string]string{"id": "id", "type": "type", "direction": "direction", "amount": "amount", "balanceAfter": "balanceAfter",
		"currency": "currency", "channel": "channel", "reference": "reference", "description": "description", "createdAt": "createdAt"}
	for _, format := range []string{"csv", "xlsx"} {
		rows := exportRows(t, w.env, w.maker.Headers(), w.cardPath(w.card.ID, "/movements."+format+"?"+query), format, "movements-"+itoa(w.partner))
		wantRowsOfList(t, format, rows, items, fields)
		if got := rows[1][column(t, rows[0], "description")]; got != "'@note" {
			t.Errorf("%s: description %q", format, got)
		}
		// Times carry the partner's offset.
		if got := rows[1][column(t, rows[0], "createdAt")]; !strings.HasSuffix(got, "-06:00") {
			t.Errorf("%s: time %q is not in the partner's zone", format, got)
		}
	}
	w.maker.Do(http.MethodGet, w.cardPath(w.card.ID, "/movements.csv?from=yesterday"), nil).WantError(http.StatusBadRequest, "7000")
	other := w.env.Operator("holders@example.com", false, apptest.Grant{Partner: w.partner, Permissions: []string{"cardholders:list"}}).Login()
	other.Do(http.MethodGet, w.cardPath(w.card.ID, "/movements.xlsx"), nil).WantError(http.StatusForbidden, "7005")
	if a := exportAudits(t, w.env, "movements"); len(a) != 2 || a[0]["rows"] != float64(4) {
		t.Errorf("audit entries %v", a)
	}
}

// The partner's batches download with the list's kind and status.
func TestBatchExportsAreTheListWithItsFilters(t *testing.T) {
	t.Parallel()
	w := newBulkWorld(t)
	w.uploadOK(w.maker, "/cardholders/upload", "users", "first.csv", csvBytes(t, ',', holderHeader(), holderRow(1, ""), holderRow(2, "")))
	w.uploadOK(w.maker, "/cardholders/upload", "users", "=second.csv", csvBytes(t, ',', holderHeader(), holderRow(3, "")))
	w.uploadOK(w.maker, "/cards/upload", "cards", "cards.csv", csvBytes(t, ',', []string{"documentType", "documentNumber"},
		[]string{"DPI", "1234567890123"}))
	w.work()
	items := listItems(t, w.maker.Do(http.MethodGet, partnerPath(w.partner, "/batches?limit=100&kind=CARDHOLDERS"), nil).WantStatus(http.StatusOK), "items")
	if len(items) != 2 {
		t.Fatalf("batches %v", items)
	}
	fields := map[string]string{"id": "id", "kind": "kind", "status": "status", "fileName": "fileName", "format": "format",
		"total": "total", "processed": "processed", "succeeded": "succeeded", "failed": "failed", "amountTotal": "amountTotal",
		"credited": "credited", "createdByLabel": "createdByLabel", "createdAt": "createdAt", "finishedAt": "finishedAt"}
	for _, format := range []string{"csv", "xlsx"} {
		rows := exportRows(t, w.env, w.maker.Headers(), partnerPath(w.partner, "/batches/export."+format+"?kind=cardholders"), format, "batches-"+itoa(w.partner))
		wantRowsOfList(t, format, rows, items, fields)
	}
	w.maker.Do(http.MethodGet, partnerPath(w.partner, "/batches/export.csv?kind=loans"), nil).WantError(http.StatusBadRequest, "7000")
	outsider := w.env.Operator("cards@example.com", false, apptest.Grant{Partner: w.partner, Permissions: []string{"cards-admin:detail"}}).Login()
	outsider.Do(http.MethodGet, partnerPath(w.partner, "/batches/export.xlsx"), nil).WantError(http.StatusForbidden, "7005")
	if a := exportAudits(t, w.env, "batches"); len(a) != 2 || a[1]["rows"] != float64(2) {
		t.Errorf("audit entries %v", a)
	}
}

// holderHeader is the header of a cardholder file.
func holderHeader() []string { return store.BulkColumns(store.BulkCardholders) }

// The audit log downloads with its action, actor and partner filters, only what the operator may
// read.
func TestAuditLogExportsAreTheLogWithItsFilters(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, handlers.Routes)
	p := env.Partner("Quetzal", "GTQ")
	other := env.Partner("Andes", "USD")
	auditor := env.Operator("auditor@example.com", false, apptest.Grant{Partner: p, Permissions: []string{"audit-log:list", "cardholders:list"}}).Login()
	nobody := env.Operator("nobody@example.com", false, apptest.Grant{Partner: p, Permissions: []string{"cardholders:list"}}).Login()
	for i := range 3 {
		n := itoa(int64(i))
		chCreate(t, env, p, chPerson("Ana", "Pérez", "ana"+n+"@example.com", "5021111000"+n, "DPI", "111111111111"+n))
	}
	chCreate(t, env, other, chPerson("Otra", "Persona", "otra@example.com", "50222220000", "DPI", "2222222222222"))
	query := "action=cardholder.&partnerId=" + itoa(p)
	items := listItems(t, auditor.Do(http.MethodGet, "/cms/rest/app/audit?limit=100&"+query, nil).WantStatus(http.StatusOK), "items")
	if len(items) < 3 {
		t.Fatalf("audit log %v", items)
	}
	fields := map[string]string{"id": "id", "at": "at", "actorType": "actorType", "actorId": "actorId", "actorLabel": "actorLabel",
		"partnerId": "partnerId", "action": "action", "objectType": "objectType", "objectId": "objectId", "requestId": "requestId", "ip": "ip"}
	for _, format := range []string{"csv", "xlsx"} {
		rows := exportRows(t, env, auditor.Headers(), "/cms/rest/app/audit/export."+format+"?"+query, format, "audit-log")
		wantRowsOfList(t, format, rows, items, fields)
	}
	// Without a partner filter, the other partner's entries stay out.
	all := listItems(t, auditor.Do(http.MethodGet, "/cms/rest/app/audit?limit=100&action=cardholder.", nil).WantStatus(http.StatusOK), "items")
	rows := exportRows(t, env, auditor.Headers(), "/cms/rest/app/audit/export.csv?action=cardholder.", "csv", "audit-log")
	wantRowsOfList(t, "unfiltered", rows, all, fields)
	for _, r := range rows[1:] {
		if r[column(t, rows[0], "partnerId")] == itoa(other) {
			t.Errorf("the export shows another partner's entry: %q", r)
		}
	}
	nobody.Do(http.MethodGet, "/cms/rest/app/audit/export.csv", nil).WantError(http.StatusForbidden, "7005")
	if a := exportAudits(t, env, "audit-log"); len(a) != 3 || a[0]["rows"] != float64(len(items)) {
		t.Errorf("audit entries %v", a)
	}
}
