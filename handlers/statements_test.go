package handlers_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store"
	"cardconsole/store/money"
	"cardconsole/store/storetest"
	"cardconsole/views/pdf/pdftest"
)

var guatemala = func() *time.Location {
	loc, err := time.LoadLocation("America/Guatemala")
	if err != nil {
		panic(err)
	}
	return loc
}()

// statementCase is a partner with a cardholder whose name needs Unicode, an active card and an
// operator who may list its movements.
type statementCase struct {
	env     *apptest.Env
	partner int64
	holder  int64
	card    store.Card
	op      *apptest.Operator
}

func newStatementCase(t *testing.T) *statementCase {
	t.Helper()
	fx := apptest.New(t, handlers.Routes).Fixture("Café Quetzal, S.A.", "GTQ")
	env, p := fx.Env, fx.Partner
	holder := storetest.Cardholder(t, env.Store, p)
	if _, err := env.Store.DB().Exec(`UPDATE cardholders SET name = 'María José', last_name = 'Ñúñez Łukasz' WHERE id = $1`, holder); err != nil {
		t.Fatal(err)
	}
	storetest.CreditPartner(t, env.Store, p, "1000000")
	card := storetest.ActiveCard(t, env.Store, p, holder)
	op := env.Operator("viewer@example.com", false, apptest.Grant{Partner: p, Roles: []string{"viewer"}})
	return &statementCase{env: env, partner: p, holder: holder, card: card, op: op}
}

func (sc *statementCase) path(rest string) string {
	return fmt.Sprintf("/cms/rest/app/partners/%d/cardholders/%d/cards/%d/movements/%s", sc.partner, sc.holder, sc.card.ID, rest)
}

// march fills March 2026 (partner time) with n movements after an opening load in February, and
// returns their references in order. Movements are written in time order, as the ledger writes them.
func (sc *statementCase) march(t *testing.T, n int) []string {
	t.Helper()
	storetest.CardMovementAt(t, sc.env.Store, sc.card, "500", time.Date(2026, 2, 20, 9, 0, 0, 0, guatemala), "FEB-OPENING", "")
	refs := make([]string, n)
	for i := range refs {
		amount := fmt.Sprintf("%d.%04d", 3+i%17, i)
		if i%4 == 3 {
			amount = "-" + fmt.Sprintf("%d.5", 1+i%9)
		}
		refs[i] = fmt.Sprintf("MAR-%04d", i)
		at := time.Date(2026, 3, 1, 0, 0, 0, 0, guatemala).Add(time.Duration(i) * 5 * time.Hour)
		storetest.CardMovementAt(t, sc.env.Store, sc.card, amount, at, refs[i], fmt.Sprintf("Pago de cuota nº %d, señor Muñoz", i))
	}
	return refs
}

// april adds a movement on the first instant of April 2026.
func (sc *statementCase) april(t *testing.T) {
	t.Helper()
	storetest.CardMovementAt(t, sc.env.Store, sc.card, "1", time.Date(2026, 4, 1, 0, 0, 0, 0, guatemala), "APR-0000", "")
}

// balanceAt is the card's balance after its last movement before the instant, from the ledger.
func (sc *statementCase) balanceAt(t *testing.T, at time.Time) decimal.Decimal {
	t.Helper()
	var b decimal.Decimal
	err := sc.env.Store.DB().Get(&b, `SELECT COALESCE((SELECT balance_after FROM movements WHERE card_id = $1 AND created_at < $2
		ORDER BY created_at DESC, id DESC LIMIT 1), 0)`, sc.card.ID, at)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func figure(t *testing.T, text, label string) decimal.Decimal {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(label) + `(?: \(\d+\))?\s+Q ([0-9,]+\.[0-9]{2,4})`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no %q in:\n%s", label, text)
	}
	return decimal.RequireFromString(strings.ReplaceAll(m[1], ",", ""))
}

func wantAttachment(t *testing.T, res *apptest.Response, contentType, filename string) {
	t.Helper()
	res.WantStatus(http.StatusOK)
	if got := res.Header.Get("Content-Type"); got != contentType {
		t.Fatalf("Content-Type %q, want %q", got, contentType)
	}
	if got := res.Header.Get("Content-Disposition"); got != `attachment; filename="`+filename+`"` {
		t.Fatalf("Content-Disposition %q", got)
	}
	if res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("Cache-Control %q", res.Header.Get("Cache-Control"))
	}
}

func TestStatementPDFListsEveryMovementAndAddsUp(t *testing.T) {
	t.Parallel()
	sc := newStatementCase(t)
	refs := sc.march(t, 130)
	sc.april(t)
	res := sc.op.Do(http.MethodGet, sc.path("report?from=2026-03-01&to=2026-03-31"), nil)
	wantAttachment(t, res, "application/pdf", "movements-"+sc.card.Last4+"-2026-03-01-2026-03-31.pdf")

	n := pdftest.Check(t, res.Body)
	pages := pdftest.Pages(t, res.Body)
	if n < 3 || len(pages) != n {
		t.Fatalf("%d pages, %d extracted", n, len(pages))
	}
	for i, p := range pages {
		if !strings.Contains(p, fmt.Sprintf("Page %d of %d", i+1, n)) || !strings.Contains(p, "Description / observations") {
			t.Fatalf("page %d lacks its number or the table heading:\n%s", i+1, p)
		}
	}
	text := strings.Join(pages, "\n")
	for _, want := range []string{"María José Ñúñez Łukasz", "Café Quetzal, S.A.", sc.card.MaskedNumber(), "GTQ",
		"2026-03-01 to 2026-03-31 (America/Guatemala)", "viewer@example.com", "señor Muñoz"} {
		if !strings.Contains(text, want) {
			t.Errorf("the statement lacks %q", want)
		}
	}
	pos := -1
	for _, ref := range refs {
		if c := strings.Count(text, ref); c != 1 {
			t.Fatalf("%s printed %d times", ref, c)
		}
		if at := strings.Index(text, ref); at < pos {
			t.Fatalf("%s out of order", ref)
		} else {
			pos = at
		}
	}
	if strings.Contains(text, "FEB-OPENING") || strings.Contains(text, "APR-0000") {
		t.Fatal("movements outside the period are listed")
	}
	open, credits, debits, closing := figure(t, pages[0], "Opening balance"), figure(t, pages[0], "Total credits"),
		figure(t, pages[0], "Total debits"), figure(t, pages[0], "Closing balance")
	if !open.Add(credits).Sub(debits).Equal(closing) {
		t.Fatalf("%s + %s - %s != %s", open, credits, debits, closing)
	}
	wantOpen := sc.balanceAt(t, time.Date(2026, 3, 1, 0, 0, 0, 0, guatemala))
	wantClose := sc.balanceAt(t, time.Date(2026, 4, 1, 0, 0, 0, 0, guatemala))
	if !open.Equal(wantOpen) || !closing.Equal(wantClose) {
		t.Fatalf("opening %s closing %s, ledger says %s and %s", open, closing, wantOpen, wantClose)
	}
	if !strings.Contains(text, "Totals of the 130 movements listed") {
		t.Error("no totals line")
	}
	var audited int
	err := sc.env.Store.DB().Get(&audited, `SELECT count(*) FROM audit_log WHERE action = 'card.statement_download'
		AND object_id = $1 AND actor_id = $2 AND after->>'format' = 'pdf' AND (after->>'rows')::int = 130`, itoa(sc.card.ID), sc.op.ID)
	if err != nil || audited != 1 {
		t.Fatalf("download audited %d times (%v)", audited, err)
	}
}

func TestStatementPDFOfAnEmptyPeriodIsOnePage(t *testing.T) {
	t.Parallel()
	sc := newStatementCase(t)
	sc.march(t, 3)
	res := sc.op.Do(http.MethodGet, sc.path("report?from=2026-01-01&to=2026-01-31"), nil)
	wantAttachment(t, res, "application/pdf", "movements-"+sc.card.Last4+"-2026-01-01-2026-01-31.pdf")
	if n := pdftest.Check(t, res.Body); n != 1 {
		t.Fatalf("%d pages", n)
	}
	text := pdftest.Text(t, res.Body)
	if !strings.Contains(text, "There are no movements in this period.") || !strings.Contains(text, "Page 1 of 1") {
		t.Fatalf("empty statement:\n%s", text)
	}
	if o, c := figure(t, text, "Opening balance"), figure(t, text, "Closing balance"); !o.IsZero() || !c.IsZero() {
		t.Fatalf("opening %s closing %s before any movement", o, c)
	}
}

func TestStatementPDFPageListsThatPageWithTheWholePeriodsSummary(t *testing.T) {
	t.Parallel()
	sc := newStatementCase(t)
	refs := sc.march(t, 12)
	res := sc.op.Do(http.MethodGet, sc.path("report?from=2026-03-01&to=2026-03-31&page=2&limit=5&sortBy=createdAt&sortOrder=desc"), nil)
	res.WantStatus(http.StatusOK)
	pdftest.Check(t, res.Body)
	text := pdftest.Text(t, res.Body)
	for i, ref := range refs {
		listed := strings.Contains(text, ref)
		if want := i >= 2 && i <= 6; listed != want { // newest first: page 2 holds the 6th to 10th newest
			t.Errorf("%s listed %v, want %v", ref, listed, want)
		}
	}
	for _, want := range []string{"Movements 6–10 of 12 (page 2, 5 per page).", "Sorted by Date, descending.",
		"Totals of the 5 movements listed", "Total credits (9)", "Total debits (3)"} {
		if !strings.Contains(text, want) {
			t.Errorf("paged statement lacks %q:\n%s", want, text)
		}
	}
}

func TestStatementRefusesABadPeriodBeforeWritingAnything(t *testing.T) {
	t.Parallel()
	sc := newStatementCase(t)
	for _, q := range []struct{ query, field string }{
		{"from=2026-03-31&to=2026-03-01", "to"},
		{"from=2026-02-30&to=2026-03-01", "from"},
		{"from=yesterday&to=2026-03-01", "from"},
		{"to=2026-03-01", "from"},
		{"from=2026-03-01", "to"},
		{"from=2026-03-01&to=2026-03-31&sortBy=secret", "sortBy"},
		{"from=2026-03-01&to=2026-03-31&sortOrder=up", "sortOrder"},
	} {
		for _, route := range []string{"report", "export.csv"} {
			res := sc.op.Do(http.MethodGet, sc.path(route+"?"+q.query), nil).WantError(http.StatusBadRequest, "7000")
			if res.Header.Get("Content-Disposition") != "" || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
				t.Fatalf("%s?%s: an error came as %q %q", route, q.query, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
			}
			if fe := res.FieldErrors(); fe[q.field] == "" {
				t.Errorf("%s?%s: no error on %s: %s", route, q.query, q.field, res.Body)
			}
		}
	}
	// A browser gets the error page, not a file.
	c := sc.env.Console()
	c.Login(sc.op.Email, apptest.Password)
	res := c.Get(sc.path("report?from=2026-03-31&to=2026-03-01"), false).WantStatus(http.StatusBadRequest)
	if res.Header.Get("Content-Disposition") != "" || !bytes.Contains(res.Body, []byte(`data-testid="error-page"`)) {
		t.Fatalf("console error: %s %s", res.Header.Get("Content-Disposition"), res.Body)
	}
	var audited int
	if err := sc.env.Store.DB().Get(&audited, `SELECT count(*) FROM audit_log WHERE action = 'card.statement_download'`); err != nil || audited != 0 {
		t.Fatalf("refused downloads audited %d times (%v)", audited, err)
	}
}

func TestStatementNeedsThePermissionAndTheCardholdersCard(t *testing.T) {
	t.Parallel()
	sc := newStatementCase(t)
	q := "?from=2026-03-01&to=2026-03-31"
	limited := sc.env.Operator("limited@example.com", false, apptest.Grant{Partner: sc.partner, Permissions: []string{"cardholders:list"}})
	for _, route := range []string{"report", "export.csv"} {
		limited.Do(http.MethodGet, sc.path(route+q), nil).WantError(http.StatusForbidden, "7005")
	}
	other := sc.env.Partner("Otro", "GTQ")
	otherHolder := storetest.Cardholder(t, sc.env.Store, other)
	otherCard := storetest.ActiveCard(t, sc.env.Store, other, otherHolder)
	sameHolder := storetest.Cardholder(t, sc.env.Store, sc.partner)
	for _, path := range []string{
		fmt.Sprintf("/cms/rest/app/partners/%d/cardholders/%d/cards/%d/movements/report%s", sc.partner, otherHolder, otherCard.ID, q),
		fmt.Sprintf("/cms/rest/app/partners/%d/cardholders/%d/cards/%d/movements/report%s", sc.partner, sameHolder, sc.card.ID, q),
		fmt.Sprintf("/cms/rest/app/partners/%d/cardholders/x/cards/%d/movements/export.csv%s", sc.partner, sc.card.ID, q),
	} {
		sc.op.Do(http.MethodGet, path, nil).WantError(http.StatusNotFound, "7200")
	}
	sc.op.Do(http.MethodGet, fmt.Sprintf("/cms/rest/app/partners/%d/cardholders/%d/cards/%d/movements/report%s", other, otherHolder, otherCard.ID, q), nil).
		WantError(http.StatusForbidden, "7005")
}

// jsonMovement is a movement as the JSON movements list answers it.
type jsonMovement struct {
	ID               int64           `json:"id"`
	Type             string          `json:"type"`
	Direction        string          `json:"direction"`
	Amount           decimal.Decimal `json:"amount"`
	Currency         string          `json:"currency"`
	BalanceAfter     decimal.Decimal `json:"balanceAfter"`
	Reference        string          `json:"reference"`
	Description      string          `json:"description"`
	CounterpartLast4 *string         `json:"counterpartLast4"`
	CreatedAt        time.Time       `json:"createdAt"`
}

func TestStatementCSVHasTheRowsOfTheJSONMovements(t *testing.T) {
	t.Parallel()
	sc := newStatementCase(t)
	sc.march(t, 40)
	tricky := storetest.CardMovementAt(t, sc.env.Store, sc.card, "12.3456", time.Date(2026, 3, 31, 23, 59, 0, 0, guatemala),
		`=HYPERLINK("http://evil")`, "Línea 1, con \"comillas\"\nLínea 2 — ñ")
	sc.april(t)
	for _, c := range []struct{ csv, json string }{
		// The whole period, oldest first: one JSON page of 100 holds it.
		{"from=2026-03-01&to=2026-03-31", "from=2026-03-01&to=2026-03-31&sortOrder=asc&limit=100"},
		// One page, sorted otherwise: the same parameters give the same page.
		{"from=2026-03-01&to=2026-03-31&page=3&limit=7&sortBy=amount&sortOrder=desc", "from=2026-03-01&to=2026-03-31&page=3&limit=7&sortBy=amount&sortOrder=desc"},
	} {
		res := sc.op.Do(http.MethodGet, sc.path("export.csv?"+c.csv), nil)
		wantAttachment(t, res, "text/csv; charset=utf-8; header=present", "movements-"+sc.card.Last4+"-2026-03-01-2026-03-31.csv")
		records, err := csv.NewReader(bytes.NewReader(res.Body)).ReadAll()
		if err != nil {
			t.Fatalf("not RFC 4180: %v", err)
		}
		if strings.Join(records[0], ",") != "id,createdAt,type,direction,reference,description,counterpartCard,debit,credit,balanceAfter,currency,reversedBy" {
			t.Fatalf("header %v", records[0])
		}
		var page struct {
			Data struct {
				Items []jsonMovement `json:"items"`
				Total int            `json:"total"`
			} `json:"data"`
		}
		sc.op.Do(http.MethodGet, strings.TrimSuffix(sc.path(""), "/")+"?"+c.json, nil).WantStatus(http.StatusOK).Decode(&page)
		want, rows := page.Data.Items, records[1:]
		if page.Data.Total != 41 || len(rows) != len(want) || len(want) == 0 {
			t.Fatalf("%s: %d CSV rows, %d JSON items of %d", c.csv, len(rows), len(want), page.Data.Total)
		}
		for i, m := range want {
			r := rows[i]
			at, err := time.Parse(time.RFC3339, r[1])
			if r[0] != itoa(m.ID) || err != nil || !at.Equal(m.CreatedAt.Truncate(time.Second)) || r[2] != m.Type || r[3] != m.Direction ||
				!decimal.RequireFromString(r[7]+r[8]).Equal(m.Amount) || !decimal.RequireFromString(r[9]).Equal(m.BalanceAfter) || r[10] != m.Currency {
				t.Fatalf("row %d %v, JSON %+v", i, r, m)
			}
			if (m.Direction == "DEBIT") != (r[7] != "") || r[9] != money.Format(m.BalanceAfter) || (m.CounterpartLast4 == nil) != (r[6] == "") {
				t.Fatalf("row %d amount or counterpart columns %v", i, r)
			}
			if m.ID == tricky.ID {
				if r[4] != `'=HYPERLINK("http://evil")` || r[5] != "Línea 1, con \"comillas\"\nLínea 2 — ñ" {
					t.Fatalf("tricky row %q %q", r[4], r[5])
				}
			} else if r[4] != m.Reference || r[5] != m.Description {
				t.Fatalf("row %d text %q %q, JSON %q %q", i, r[4], r[5], m.Reference, m.Description)
			}
		}
		if !strings.Contains(c.csv, "page") && rows[len(rows)-1][0] != itoa(tricky.ID) {
			t.Fatal("the last minute of the period is missing")
		}
	}
	var audited int
	if err := sc.env.Store.DB().Get(&audited, `SELECT count(*) FROM audit_log WHERE action = 'card.statement_download' AND after->>'format' = 'csv'`); err != nil || audited != 2 {
		t.Fatalf("CSV downloads audited %d times (%v)", audited, err)
	}
}

func TestStatementDownloadsWithAConsoleSession(t *testing.T) {
	t.Parallel()
	sc := newStatementCase(t)
	sc.march(t, 2)
	c := sc.env.Console()
	c.Login(sc.op.Email, apptest.Password)
	res := c.Get(sc.path("report?from=2026-03-01&to=2026-03-31"), false)
	wantAttachment(t, res, "application/pdf", "movements-"+sc.card.Last4+"-2026-03-01-2026-03-31.pdf")
	pdftest.Check(t, res.Body)
	res = c.Get(sc.path("export.csv?from=2026-03-01&to=2026-03-31"), false)
	wantAttachment(t, res, "text/csv; charset=utf-8; header=present", "movements-"+sc.card.Last4+"-2026-03-01-2026-03-31.csv")
}

// Statements of cards moved by the real funds operations: a load, a transfer to another card of the
// cardholder and an unload, all of today.
func TestStatementOfRealFundsOperations(t *testing.T) {
	t.Parallel()
	sc := newStatementCase(t)
	ctx := t.Context()
	st := sc.env.Store
	other := storetest.ActiveCard(t, st, sc.partner, sc.holder)
	actor := store.SystemActor("test")
	d := decimal.RequireFromString
	if _, err := st.AddFunds(ctx, actor, store.FundsOp{PartnerID: sc.partner, CardholderID: sc.holder, CardID: sc.card.ID,
		Amount: d("300"), Channel: "CMS", Reference: "LOAD-1", Description: "Carga inicial"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Transfer(ctx, actor, store.TransferOp{PartnerID: sc.partner, CardholderID: sc.holder, FromCardID: sc.card.ID,
		ToCardID: other.ID, Amount: d("75.5"), Description: "Reparto"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.WithdrawFunds(ctx, actor, store.FundsOp{PartnerID: sc.partner, CardholderID: sc.holder, CardID: sc.card.ID,
		Amount: d("20"), Channel: "CMS", Reference: "UNLOAD-1"}); err != nil {
		t.Fatal(err)
	}
	// Yesterday to tomorrow in the partner's zone holds today whatever the hour.
	today := sc.env.Now().In(guatemala)
	q := "?from=" + today.AddDate(0, 0, -1).Format(time.DateOnly) + "&to=" + today.AddDate(0, 0, 1).Format(time.DateOnly)

	res := sc.op.Do(http.MethodGet, sc.path("report"+q), nil).WantStatus(http.StatusOK)
	pdftest.Check(t, res.Body)
	text := pdftest.Text(t, res.Body)
	for _, want := range []string{"LOAD-1", "Carga inicial", "Transfer out", "to card •••• " + other.Last4, "Reparto", "UNLOAD-1",
		"Total credits (1)", "Total debits (2)", "Totals of the 3 movements listed"} {
		if !strings.Contains(text, want) {
			t.Errorf("statement lacks %q:\n%s", want, text)
		}
	}
	if o, c := figure(t, text, "Opening balance"), figure(t, text, "Closing balance"); !o.IsZero() || !c.Equal(d("204.5")) {
		t.Errorf("opening %s closing %s", o, c)
	}
	otherPath := fmt.Sprintf("/cms/rest/app/partners/%d/cardholders/%d/cards/%d/movements/", sc.partner, sc.holder, other.ID)
	otherText := pdftest.Text(t, sc.op.Do(http.MethodGet, otherPath+"report"+q, nil).WantStatus(http.StatusOK).Body)
	if !strings.Contains(otherText, "Transfer in") || !strings.Contains(otherText, "from card •••• "+sc.card.Last4) {
		t.Errorf("the other card's statement:\n%s", otherText)
	}
	records, err := csv.NewReader(bytes.NewReader(sc.op.Do(http.MethodGet, sc.path("export.csv"+q), nil).WantStatus(http.StatusOK).Body)).ReadAll()
	if err != nil || len(records) != 4 {
		t.Fatalf("%d CSV records (%v)", len(records), err)
	}
	if transfer := records[2]; transfer[2] != store.MovementTransferOut || transfer[6] != other.Last4 || transfer[7] != "75.50" || transfer[9] != "224.50" {
		t.Fatalf("transfer row %v", transfer)
	}
}
