package handlers_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"cardconsole/internal/apptest"
	"cardconsole/store"
	"cardconsole/store/storetest"
)

// dashboardBatch stores a finished batch of the partner with failed rows, created at the instant.
func dashboardBatch(t *testing.T, env *apptest.Env, partner, operator int64, failed int, at time.Time) {
	t.Helper()
	_, err := env.Store.DB().Exec(`INSERT INTO bulk_batches (partner_id, kind, status, file_name, format, blob_key, sha256,
		header, total, processed, succeeded, failed, created_by, created_at, finished_at)
		VALUES ($1, 'CARDHOLDERS', 'COMPLETED', 'personas.csv', 'CSV', 'k', '\x00', '{email}', 5, 5, 5 - $2, $2, $3, $4, $4)`,
		partner, failed, operator, at)
	if err != nil {
		t.Fatal(err)
	}
}

// The dashboard shows what an operator opens the console for, each figure a link to its list and
// only where their grants allow: client requests and top-ups to review, the day's loads and
// unloads in the partner's time zone, recent batches with failed rows; in Spanish too.
func TestDashboardShowsTheWorkOfEachPartner(t *testing.T) {
	t.Parallel()
	q := newQueue(t)
	env, p := q.env, q.partner
	andes := env.Partner("Andes", "USD")
	admin := env.Operator("admin@example.com", true, apptest.Grant{Partner: p, Roles: []string{"admin"}},
		apptest.Grant{Partner: andes, Roles: []string{"viewer"}})
	ctx := context.Background()
	actor := store.SystemActor("test")

	// Two top-ups wait (a third was cancelled); two loads and an unload today, one load yesterday (partner time).
	createTopUp(t, env, q.submitter, p, "1500")
	createTopUp(t, env, q.submitter, p, "250")
	cancelled := createTopUp(t, env, q.submitter, p, "75")
	if _, err := env.Store.CancelProcessRequest(ctx, store.Actor{Type: store.ActorOperator, OperatorID: q.submitter.ID, Label: q.submitter.Email}, p, cancelled, false); err != nil {
		t.Fatal(err)
	}
	fund(t, env.Store, p, q.card, "1000")
	storetest.CreditPartner(t, env.Store, p, "5000")
	if _, err := env.Store.AddFunds(ctx, actor, store.FundsOp{PartnerID: p, CardID: q.card2.ID, Amount: decimal.RequireFromString("234.5"), Channel: store.ChannelCMS}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Store.WithdrawFunds(ctx, actor, store.FundsOp{PartnerID: p, CardID: q.card.ID, Amount: decimal.RequireFromString("100"), Channel: store.ChannelCMS}); err != nil {
		t.Fatal(err)
	}
	old, err := env.Store.AddFunds(ctx, actor, store.FundsOp{PartnerID: p, CardID: q.card.ID, Amount: decimal.RequireFromString("7"), Channel: store.ChannelCMS})
	if err != nil {
		t.Fatal(err)
	}
	y, m, d := env.Now().In(guatemala).Date()
	yesterday := time.Date(y, m, d, 0, 0, 0, 0, guatemala).Add(-time.Hour)
	if _, err := env.Store.DB().Exec(`UPDATE movements SET created_at = $2 WHERE entry_id = $1`, old[0].EntryID, yesterday); err != nil {
		t.Fatal(err)
	}
	// A client request waits; batches: one with failures this week, one older, one clean.
	q.submit(t, q.client, "deposit", map[string]any{"cardId": q.card.ID, "amount": "10"})
	dashboardBatch(t, env, p, admin.ID, 2, env.Now().Add(-time.Hour))
	dashboardBatch(t, env, p, admin.ID, 1, env.Now().Add(-8*24*time.Hour))
	dashboardBatch(t, env, p, admin.ID, 0, env.Now().Add(-time.Hour))

	c := env.SignIn(admin.Email)
	page := c.Page(http.MethodGet, "/", nil).WantStatus(http.StatusOK)
	pp := "/cms/rest/app/partners/" + itoa(p)
	quetzal := `[data-testid="partner-card"][data-partner-id="` + itoa(p) + `"] `
	page.WantText(`a[data-testid="work-requests"][href="/api/v2/applications?filter%5BstatusId%5D=0"]`, "1 client request to review").
		WantText(quetzal+`a[data-testid="work-topups"][href="`+pp+`/top-ups?status=PENDING"]`, "2 balance top-ups to review").
		WantText(quetzal+`[data-testid="work-loads"] a[href="/cms/rest/app/audit?action=card.add_funds&partnerId=`+itoa(p)+`"]`, "Today: 2 loads, Q 1,234.50").
		WantText(quetzal+`[data-testid="work-unloads"] a[href="/cms/rest/app/audit?action=card.withdraw_funds&partnerId=`+itoa(p)+`"]`, "Today: 1 unload, Q 100.00").
		WantText(quetzal+`a[data-testid="work-failed-batches"][href="`+pp+`/bulk?failed=recent"]`, "1 file with failed rows in the last 7 days").
		WantText(quetzal+`[data-testid="partner-balance"]`, "Q 4,858.50")

	// On Andes the operator is a viewer: the day's figures are there but link nowhere (no audit log).
	andesCard := `[data-testid="partner-card"][data-partner-id="` + itoa(andes) + `"] `
	c.Lang = "es"
	c.Page(http.MethodGet, "/", nil).WantStatus(http.StatusOK).
		WantText(`[data-testid="work-requests"]`, "1 solicitud de cliente por revisar").
		WantText(quetzal+`[data-testid="work-topups"]`, "2 recargas de saldo por revisar").
		WantText(quetzal+`[data-testid="work-loads"]`, "Hoy: 2 cargas, Q 1,234.50").
		WantText(quetzal+`[data-testid="work-unloads"]`, "Hoy: 1 descarga, Q 100.00").
		WantText(quetzal+`[data-testid="work-failed-batches"]`, "1 archivo con filas fallidas en los últimos 7 días").
		WantText(andesCard+`[data-testid="work-topups"]`, "0 recargas de saldo por revisar").
		WantText(andesCard+`[data-testid="work-loads"]`, "Hoy: 0 cargas, US$ 0.00").
		WantNoSelectors(andesCard+`[data-testid="work-loads"] a`, andesCard+`[data-testid="work-unloads"] a`)

	// The top-ups link lists the pending ones.
	topUps := c.Page(http.MethodGet, pp+"/top-ups?status=PENDING", nil).WantStatus(http.StatusOK)
	if n := topUps.Find(`[data-testid="pr-history-row"]`).Length(); n != 2 {
		t.Fatalf("the pending top-ups list shows %d, want 2", n)
	}

	// The link lists the batch with failures of the week, not the old one nor the clean one.
	if n := c.Page(http.MethodGet, pp+"/bulk?failed=recent", nil).WantStatus(http.StatusOK).
		WantSelectors(`[data-testid="failed-batches-note"]`).Find(`[data-testid="bulk-row"]`).Length(); n != 1 {
		t.Fatalf("the failed-batches list shows %d batches, want 1", n)
	}
	if n := c.Page(http.MethodGet, pp+"/bulk", nil).WantStatus(http.StatusOK).
		WantNoSelectors(`[data-testid="failed-batches-note"]`).Find(`[data-testid="bulk-row"]`).Length(); n != 3 {
		t.Fatalf("the whole history shows %d batches, want 3", n)
	}

	// A maker restricted to some cardholders' tags sees no partner-wide money figures, but the
	// top-ups still.
	if _, err := env.Store.RestrictOperator(ctx, actor, q.submitter.ID, p, []string{"vip"}); err != nil {
		t.Fatal(err)
	}
	env.SignIn(q.submitter.Email).Page(http.MethodGet, "/", nil).WantStatus(http.StatusOK).
		WantSelectors(`[data-testid="work-topups"]`).WantNoSelectors(`[data-testid="work-loads"]`, `[data-testid="work-unloads"]`)
}
