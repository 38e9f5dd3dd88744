package views_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/shopspring/decimal"

	"cardconsole/internal/apptest"
	"cardconsole/store"
	"cardconsole/views"
	"cardconsole/web/i18n"
)

// inEnglish is a request context answered in English, in Guatemala time.
func inEnglish() context.Context {
	return i18n.WithLocale(context.Background(), i18n.Locale{Lang: i18n.EN, Zone: i18n.DefaultZone})
}

// byTestID is the selector of the elements with that data-testid.
func byTestID(id string) string { return `[data-testid="` + id + `"]` }

// one returns the only element with the data-testid, failing the test unless there is exactly one.
func one(t *testing.T, doc *goquery.Document, id string) *goquery.Selection {
	t.Helper()
	sel := doc.Find(byTestID(id))
	if sel.Length() != 1 {
		html, _ := doc.Html()
		t.Fatalf("%d elements with data-testid %q, want 1:\n%s", sel.Length(), id, html)
	}
	return sel
}

// none fails the test if an element has the data-testid.
func none(t *testing.T, doc *goquery.Document, id string) {
	t.Helper()
	if n := doc.Find(byTestID(id)).Length(); n != 0 {
		t.Fatalf("%d elements with data-testid %q, want none", n, id)
	}
}

func text(sel *goquery.Selection) string { return strings.Join(strings.Fields(sel.Text()), " ") }

func TestPaginationShowsTheRangeAndLinksOnlyToPagesThatExist(t *testing.T) {
	t.Parallel()
	pager := views.Pager{Limit: 20, Total: 45, Path: "/cardholders", Query: url.Values{"sort": {"name"}}, Target: "cardholders-table"}
	for _, tc := range []struct {
		page              int
		rangeText, pageOf string
		prev, next        bool
	}{
		{1, "1–20 of 45", "Page 1 of 3", false, true},
		{2, "21–40 of 45", "Page 2 of 3", true, true},
		{3, "41–45 of 45", "Page 3 of 3", true, false},
	} {
		p := pager
		p.Page = tc.page
		doc := apptest.Render(t, inEnglish(), views.Pagination(p))
		one(t, doc, "pagination")
		if got := text(one(t, doc, "page-range")); got != tc.rangeText {
			t.Errorf("page %d: range %q, want %q", tc.page, got, tc.rangeText)
		}
		if got := text(one(t, doc, "page-of")); got != tc.pageOf {
			t.Errorf("page %d: %q, want %q", tc.page, got, tc.pageOf)
		}
		for id, want := range map[string]struct {
			shown bool
			page  int
		}{"page-prev": {tc.prev, tc.page - 1}, "page-next": {tc.next, tc.page + 1}} {
			if !want.shown {
				none(t, doc, id)
				continue
			}
			link := one(t, doc, id)
			wantURL := p.URL(want.page)
			if href, _ := link.Attr("href"); href != wantURL {
				t.Errorf("page %d: %s href %q, want %q", tc.page, id, href, wantURL)
			}
			if hx, _ := link.Attr("hx-get"); hx != wantURL {
				t.Errorf("page %d: %s hx-get %q, want %q", tc.page, id, hx, wantURL)
			}
			if target, _ := link.Attr("hx-target"); target != "#cardholders-table" {
				t.Errorf("page %d: %s hx-target %q", tc.page, id, target)
			}
			u, err := url.Parse(wantURL)
			if err != nil || u.Query().Get("sort") != "name" || u.Query().Get("page") == "" {
				t.Errorf("page %d: %s URL %q loses the list's filters", tc.page, id, wantURL)
			}
		}
	}
}

func TestPaginationOfAnEmptyListSaysNoResults(t *testing.T) {
	t.Parallel()
	doc := apptest.Render(t, inEnglish(), views.Pagination(views.Pager{Page: 1, Limit: 20, Path: "/x", Target: "t"}))
	if got := text(one(t, doc, "page-range")); got != "No results" {
		t.Errorf("range %q, want No results", got)
	}
	if got := text(one(t, doc, "page-of")); got != "Page 1 of 1" {
		t.Errorf("%q, want Page 1 of 1", got)
	}
	none(t, doc, "page-prev")
	none(t, doc, "page-next")
}

func TestEmptyStateShowsItsTextEscaped(t *testing.T) {
	t.Parallel()
	doc := apptest.Render(t, inEnglish(), views.EmptyState(`No cardholders match "<b>x</b>".`))
	el := one(t, doc, "empty-state")
	if got := el.Text(); got != `No cardholders match "<b>x</b>".` {
		t.Errorf("text %q", got)
	}
	if el.Find("b").Length() != 0 {
		t.Error("the text became markup")
	}
}

func TestFieldErrorShowsOnlyTheFieldsMessage(t *testing.T) {
	t.Parallel()
	errs := map[string]string{"email": "email must be a valid address"}
	doc := apptest.Render(t, inEnglish(), views.FieldError(errs, "email"))
	if got := text(one(t, doc, "error-email")); got != "email must be a valid address" {
		t.Errorf("message %q", got)
	}
	doc = apptest.Render(t, inEnglish(), views.FieldError(errs, "name"))
	if n := doc.Find(`[data-testid^="error-"]`).Length(); n != 0 {
		t.Errorf("a field without an error shows %d messages", n)
	}
}

func TestFlashMessageShowsItsKindAndCanBeDismissed(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"success", "info", "warning", "error"} {
		doc := apptest.Render(t, inEnglish(), views.FlashMessage(views.Flash{Kind: kind, Text: "Saved & sent"}))
		el := one(t, doc, "flash-"+kind)
		if role, _ := el.Attr("role"); role != "status" {
			t.Errorf("%s: role %q, want status", kind, role)
		}
		if got := text(el.Find("span")); got != "Saved & sent" {
			t.Errorf("%s: text %q", kind, got)
		}
		if el.Find("button[data-dismiss]").Length() != 1 {
			t.Errorf("%s: no dismiss button", kind)
		}
	}
}

func TestErrorAlertNamesTheRequestWhenThereIsOne(t *testing.T) {
	t.Parallel()
	doc := apptest.Render(t, inEnglish(), views.ErrorAlert("Something failed", "req-123"))
	el := one(t, doc, "error-alert")
	if role, _ := el.Attr("role"); role != "alert" {
		t.Errorf("role %q, want alert", role)
	}
	if got := text(el); !strings.HasPrefix(got, "Something failed") || !strings.Contains(got, "req-123") {
		t.Errorf("text %q lacks the message or the request id", got)
	}
	doc = apptest.Render(t, inEnglish(), views.ErrorAlert("Something failed", ""))
	if got := text(one(t, doc, "error-alert").Find("span").First()); got != "Something failed" {
		t.Errorf("without a request id: %q", got)
	}
}

func TestBellCountCapsAtTheBellCap(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]string{0: "0", 7: "7", store.BellCap: "99", store.BellCap + 1: "99+"} {
		doc := apptest.Render(t, inEnglish(), views.BellCount(n))
		el := one(t, doc, "bell-count")
		if got := text(el); got != want {
			t.Errorf("bell of %d reads %q, want %q", n, got, want)
		}
		if class, _ := el.Attr("class"); strings.Contains(class, "bg-rose-600") != (n > 0) {
			t.Errorf("bell of %d: class %q", n, class)
		}
	}
}

func TestCardStatusBadgeReadsTheStatusInItsColour(t *testing.T) {
	t.Parallel()
	for status, want := range map[string]struct{ word, colour string }{store.CardActive: {"active", "bg-emerald-100"},
		store.CardBlocked: {"blocked", "bg-rose-100"}, "INACTIVE": {"inactive", "bg-slate-100"}} {
		colour := want.colour
		doc := apptest.Render(t, inEnglish(), views.CardStatusBadge(status, "card-status-7"))
		el := one(t, doc, "card-status-7")
		if got := text(el); got != want.word {
			t.Errorf("badge reads %q, want %q", got, want.word)
		}
		if class, _ := el.Attr("class"); !strings.Contains(class, colour) {
			t.Errorf("%s badge: class %q, want %s", status, class, colour)
		}
	}
}

func TestBalanceCardWritesMoneyWithTheCurrencySign(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ amount, currency, want string }{
		{"269473.6234", "GTQ", "Q 269,473.6234"},
		{"1250.5", "USD", "US$ 1,250.50"},
		{"0", "BRL", "BRL 0.00"},
	} {
		b := store.Balance{ClientID: 4, Available: decimal.RequireFromString(tc.amount), Currency: tc.currency, UpdatedAt: time.Now()}
		doc := apptest.Render(t, inEnglish(), views.BalanceCard(b))
		if got := text(one(t, doc, "available-balance")); got != tc.want {
			t.Errorf("%s %s reads %q, want %q", tc.amount, tc.currency, got, tc.want)
		}
	}
}
