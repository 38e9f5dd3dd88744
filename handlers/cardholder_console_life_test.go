package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"cardconsole/internal/apptest"
	"cardconsole/store"
)

// editForm is the edit form of a cardholder as the console sends it: every field as saved, with
// the changes in change.
func editForm(t *testing.T, env *apptest.Env, partner, holder int64, change map[string]string) url.Values {
	t.Helper()
	ch, err := env.Store.ReadCardholder(context.Background(), store.SystemActor("test"), partner, holder)
	if err != nil {
		t.Fatal(err)
	}
	f := url.Values{"name": {ch.Name}, "lastName": {ch.LastName}, "address": {ch.Address}, "countryOfBirth": {ch.CountryOfBirth},
		"dateOfBirth": {ch.DateOfBirth}, "maritalStatus": {ch.MaritalStatus}, "gender": {ch.Gender}, "phoneNumber": {ch.PhoneNumber},
		"email": {ch.Email}, "documentType": {ch.DocumentType}, "documentNumber": {ch.DocumentNumber}}
	for k, v := range change {
		f.Set(k, v)
	}
	return f
}

// holderPhone reads the cardholder's saved phone.
func holderPhone(t *testing.T, env *apptest.Env, partner, holder int64) string {
	t.Helper()
	ch, err := env.Store.ReadCardholder(context.Background(), store.SystemActor("test"), partner, holder)
	if err != nil {
		t.Fatal(err)
	}
	return ch.PhoneNumber
}

// wantTextIn fails the test unless the first element the selector matches contains want.
func wantTextIn(t *testing.T, r *apptest.Response, selector, want string) {
	t.Helper()
	if got := r.Find(selector).First().Text(); !strings.Contains(got, want) {
		t.Fatalf("%s reads %q, want it to contain %q", selector, got, want)
	}
}

func TestConsoleEditCardholderShowsErrorsBesideTheFieldsThenSaves(t *testing.T) {
	t.Parallel()
	w := newLifeWorld(t)
	c := w.env.SignIn("maker@example.com")
	phone := holderPhone(t, w.env, w.partner, w.holder)
	page := c.Get(w.holderPath(""), false).WantStatus(http.StatusOK)
	if got, _ := page.Find(`[data-testid="edit-phoneNumber"]`).Attr("value"); got != phone {
		t.Fatalf("the edit form's phone is %q, want the saved %q", got, phone)
	}
	page.WantSelectors(`[data-testid="edit-submit"]`).WantNoSelectors(`[data-testid="edit-form"] [data-testid="otp-dialog"]`)

	bad := c.HTMX(http.MethodPatch, w.holderPath(""), editForm(t, w.env, w.partner, w.holder,
		map[string]string{"phoneNumber": "12ab", "email": "not-an-email"}))
	bad.WantStatus(http.StatusUnprocessableEntity).WantSelectors(`form[data-testid="edit-form"]`,
		`[data-testid="error-phoneNumber"]`, `[data-testid="error-email"]`).WantNoSelectors(`[data-testid="error-name"]`)
	if got, _ := bad.Find(`[data-testid="edit-phoneNumber"]`).Attr("value"); got != "12ab" {
		t.Fatalf("the refused form shows the phone %q, want it as typed", got)
	}
	if !strings.Contains(bad.Find(`[data-testid="error-phoneNumber"]`).Text(), "8 to 15 digits") {
		t.Fatalf("the phone's error: %q", bad.Find(`[data-testid="error-phoneNumber"]`).Text())
	}
	if holderPhone(t, w.env, w.partner, w.holder) != phone || chAudit(t, w.env, "cardholder.update", itoa(w.holder)) != 0 {
		t.Fatal("a refused edit changed the cardholder or was audited")
	}

	good := c.HTMX(http.MethodPatch, w.holderPath(""), editForm(t, w.env, w.partner, w.holder, map[string]string{"phoneNumber": "50255550123"}))
	good.WantStatus(http.StatusOK).WantText(`[data-testid="pd-phone"]`, "50255550123").
		WantSelectors(`section#personal-data`, `[data-testid="flash-success"]`)
	if got := good.Header.Get("HX-Retarget"); got != "#personal-data" {
		t.Fatalf("the saved edit replaces %q, want the personal data panel", got)
	}
	if holderPhone(t, w.env, w.partner, w.holder) != "50255550123" {
		t.Fatal("the phone was not saved")
	}
	if n := chAudit(t, w.env, "cardholder.update", itoa(w.holder)); n != 1 {
		t.Fatalf("%d audit rows of the edit, want 1", n)
	}
}

func TestConsoleEditCardholderAsksForTheCodeWhenTheOperatorNeedsOne(t *testing.T) {
	t.Parallel()
	w := newLifeWorld(t)
	guard := w.fx.Member("guard", true, roleGrant(w.partner, "maker", "cardholders:otp"))
	c := w.env.SignIn(guard.Email)
	c.Get(w.holderPath(""), false).WantStatus(http.StatusOK).WantNoSelectors(`[data-testid="edit-form"]`)
	shown := c.HTMX(http.MethodPost, w.holderPath(""), url.Values{"otp": {guard.OTP()}}).WantStatus(http.StatusOK)
	shown.WantSelectors(`[data-testid="edit-form"] [data-testid="otp-dialog"]`, `[data-testid="edit-form"] button[data-open-dialog="edit-otp"]`)

	form := editForm(t, w.env, w.partner, w.holder, map[string]string{"phoneNumber": "50255550124"})
	c.HTMX(http.MethodPatch, w.holderPath(""), form).WantStatus(http.StatusUnprocessableEntity).
		WantSelectors(`[data-testid="edit-form"] [data-testid="error-otp"]`)
	form.Set("otp", "000000")
	c.HTMX(http.MethodPatch, w.holderPath(""), form).WantStatus(http.StatusUnprocessableEntity).
		WantSelectors(`[data-testid="error-otp"]`)
	if holderPhone(t, w.env, w.partner, w.holder) == "50255550124" {
		t.Fatal("an edit without a valid code was saved")
	}
	form.Set("otp", guard.OTP())
	c.HTMX(http.MethodPatch, w.holderPath(""), form).WantStatus(http.StatusOK).WantText(`[data-testid="pd-phone"]`, "50255550124")
	if holderPhone(t, w.env, w.partner, w.holder) != "50255550124" {
		t.Fatal("the phone was not saved with a valid code")
	}
}

func TestConsoleCloseCardholderDialog(t *testing.T) {
	t.Parallel()
	w := newLifeWorld(t)
	w.load(w.card.ID, "100")
	head, err := w.env.Store.ReadCardholderHeader(context.Background(), w.partner, w.holder)
	if err != nil {
		t.Fatal(err)
	}
	name := head.FullName()
	c := w.env.SignIn(w.closer.Email)
	page := c.Get(w.holderPath(""), false).WantStatus(http.StatusOK)
	page.WantSelectors(`[data-testid="close-open"]`, `dialog#close-dialog form[data-testid="close-form"]`, `[data-testid="close-unload"]`)
	if got := page.Find(`[data-testid="close-balance-` + itoa(w.card.ID) + `"]`).Text(); !strings.Contains(got, "100.00") {
		t.Fatalf("the dialog shows the card's balance as %q", got)
	}
	if got := page.Find(`[data-testid="close-form"]`).Text(); !strings.Contains(got, "I confirm that "+name+" is closed for good") {
		t.Fatalf("the confirmation does not name %s: %q", name, got)
	}

	path := w.holderPath("/close")
	c.HTMX(http.MethodPatch, path, url.Values{"reason": {" "}}).WantStatus(http.StatusUnprocessableEntity).
		WantSelectors(`[data-testid="close-form"]`, `[data-testid="error-reason"]`, `[data-testid="error-confirm"]`)
	c.HTMX(http.MethodPatch, path, url.Values{"reason": {"client asked"}, "confirm": {"yes"}}).WantStatus(http.StatusUnprocessableEntity).
		WantSelectors(`[data-testid="error-otp"]`).WantNoSelectors(`[data-testid="error-reason"]`)

	// Money left on a card without the unload ticked: said in words, nothing changes.
	refused := c.HTMX(http.MethodPatch, path, url.Values{"reason": {"client asked"}, "confirm": {"yes"}, "otp": {w.closer.OTP()}})
	refused.WantStatus(http.StatusConflict)
	wantTextIn(t, refused, `[data-testid="close-problem"]`, "The cards still hold money")
	if v, _ := refused.Find(`[data-testid="close-reason"]`).Attr("value"); v != "client asked" {
		t.Fatalf("the refused dialog lost the reason: %q", v)
	}
	w.wantBalance(w.card.ID, "100")

	done := c.HTMX(http.MethodPatch, path, url.Values{"reason": {"client asked"}, "confirm": {"yes"}, "unloadBalances": {"true"},
		"otp": {w.closer.OTP()}})
	done.WantStatus(http.StatusNoContent)
	if got := done.Header.Get("HX-Redirect"); got != w.holderPath("") {
		t.Fatalf("after closing the console goes to %q", got)
	}
	w.wantBalance(w.card.ID, "0")
	w.wantTotal()
	if w.cardStatus(w.card.ID) != store.CardCanceled {
		t.Fatal("the card was not cancelled")
	}

	// A CLOSED cardholder's page is read-only.
	closed := c.Get(w.holderPath(""), false).WantStatus(http.StatusOK)
	wantTextIn(t, closed, `[data-testid="flash-success"]`, name+" was closed.")
	wantTextIn(t, closed, `[data-testid="closed-notice"]`, "Reason: client asked")
	closed.WantNoSelectors(`[data-testid="edit-form"]`, `[data-testid="close-open"]`, `[data-testid="close-form"]`,
		`[hx-patch*="/cards/`+itoa(w.second.ID)+`/"]`, `[data-testid="add-card-form"]`)
}

func TestConsoleActivityTabs(t *testing.T) {
	t.Parallel()
	w := newLifeWorld(t)
	w.load(w.card.ID, "25")
	w.maker.Do(http.MethodPatch, w.holderPath(""), map[string]any{"phoneNumber": "50255550125"}).WantStatus(http.StatusOK)
	c := w.env.SignIn("maker@example.com")
	c.Get(w.holderPath(""), false).WantStatus(http.StatusOK).
		WantSelectors(`[data-testid="tab-activity"][href="` + w.holderPath("/activity") + `"]`)

	tab := c.Get(w.holderPath("/activity"), false).WantStatus(http.StatusOK)
	tab.WantSelectors(`[data-testid="tab-activity"][aria-current="page"]`,
		`[data-testid="activity-row"][data-action="cardholder.update"]`, `[data-testid="activity-row"][data-action="ADD_FUNDS"]`)
	edit := tab.Find(`[data-testid="activity-row"][data-action="cardholder.update"]`)
	if !strings.Contains(edit.Text(), "Personal data edited") || !strings.Contains(edit.Text(), "phoneNumber") {
		t.Fatalf("the edit's line: %q", edit.Text())
	}
	if got := tab.Find(`[data-testid="activity-row"][data-action="ADD_FUNDS"] [data-testid="activity-amount"]`).Text(); !strings.Contains(got, "25.00") {
		t.Fatalf("the load's amount: %q", got)
	}
	// Newest first: the edit came after the load (opening the page, a read, came after both).
	if first, _ := tab.Find(`[data-testid="activity-row"]:not([data-kind="read"])`).First().Attr("data-action"); first != "cardholder.update" {
		t.Fatalf("the newest line is %q", first)
	}

	funds := c.Get(w.holderPath("/activity?kind=funds"), true).WantStatus(http.StatusOK)
	funds.WantSelectors(`section#activity-list`, `[data-testid="activity-kind-funds"][aria-current="page"]`)
	funds.Find(`[data-testid="activity-row"]`).Each(func(_ int, s *goquery.Selection) {
		if k, _ := s.Attr("data-kind"); k != store.ActivityFunds {
			t.Fatalf("the funds filter shows a %q line", k)
		}
	})
	if funds.Find(`[data-testid="activity-row"]`).Length() == 0 {
		t.Fatal("the funds filter shows nothing")
	}

	card := c.Get(w.cardPath(w.card.ID, "/activity"), false).WantStatus(http.StatusOK)
	card.WantSelectors(`[data-testid="activity-row"][data-action="ADD_FUNDS"]`).
		WantNoSelectors(`[data-testid="activity-row"][data-action="cardholder.update"]`)
	c.Get(w.cardPath(w.card.ID, ""), false).WantStatus(http.StatusOK).
		WantSelectors(`[data-testid="tab-activity"][href="` + w.cardPath(w.card.ID, "/activity") + `"]`)
}
