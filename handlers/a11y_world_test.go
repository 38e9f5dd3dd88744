package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cardconsole/internal/apptest"
	"cardconsole/store"
	"cardconsole/store/storetest"
)

// a11yWorld is a Guatemalan partner with something on every console screen: a pending top-up, a
// cardholder with two loaded cards and a movement waiting for its reversal, a client request, a
// resolution, a bulk file and a payroll waiting for approval, an invitation, and an admin who
// confirms with a one-time code (so every code dialog shows).
type a11yWorld struct {
	*lifeWorld
	admin      *apptest.Operator
	movement   int64
	request    int64
	invitation string
	stranger   int64 // a partner the admin has no access to
}

func newA11yWorld(t *testing.T) *a11yWorld {
	t.Helper()
	w := &a11yWorld{lifeWorld: newLifeWorld(t)}
	env, p := w.env, w.partner
	if err := env.Store.SetPartnerCountry(context.Background(), store.SystemActor("test"), p, "GT"); err != nil {
		t.Fatal(err)
	}
	var otp []string
	for _, perm := range store.Permissions {
		if strings.HasSuffix(perm, ":otp") {
			otp = append(otp, perm)
		}
	}
	w.admin = env.Operator("admin@example.com", true, apptest.Grant{Partner: p, Roles: []string{"admin"}, Permissions: otp}).Login()
	storetest.CreditPartner(t, env.Store, p, "250000")
	createTopUp(t, env, w.maker, p, "12500")
	w.movement = w.load(w.card.ID, "120.50")
	w.load(w.second.ID, "80")
	w.requestReversal(w.checker, w.card.ID, w.movement)
	chStock(t, env, p, 2)

	q := &queue{env: env, partner: p, client: w.holder, card: w.card, card2: w.second, submitter: w.maker, checker: w.checker}
	w.request = q.submit(t, w.holder, "deposit", map[string]any{"cardId": w.card.ID, "amount": "120.50"})
	q.resolution(t, "Documento ilegible")

	bw := &bulkWorld{t: t, env: env, partner: p, maker: w.admin, checker: w.checker}
	bw.uploadOK(w.admin, "/cardholders/upload", "users", "cardholders.csv",
		csvBytes(t, ';', cardholderHeader, holderRow(1, ""), holderRow(2, "")))
	payer := env.Operator("payer@example.com", true, apptest.Grant{Partner: p, Roles: []string{"maker"}})
	bw.uploadOK(payer, "/disbursements/upload", "file", "payroll.csv",
		csvBytes(t, ',', payoutHeader, []string{itoa(w.second.ID), "", "", "75", "PAY-1", "Quincena"}))
	bw.work()

	inv := w.admin.Do(http.MethodPost, usersPath(p, ""), map[string]any{"email": "nueva@example.com", "name": "Nueva",
		"roles": []string{"maker"}, "otp": w.admin.OTP()}).WantStatus(http.StatusCreated).Data()
	link, err := url.Parse(inv["invitationUrl"].(string))
	if err != nil {
		t.Fatal(err)
	}
	w.invitation = strings.TrimPrefix(link.Path, "/invite/")
	w.stranger = env.Partner("Otra Empresa", "USD")
	return w
}

// setLanguage keeps the admin's console language, as the header's picker does.
func (w *a11yWorld) setLanguage(lang string) {
	w.t.Helper()
	if _, err := w.env.Store.DB().ExecContext(context.Background(), `UPDATE operators SET language = $1 WHERE id = $2`, lang, w.admin.ID); err != nil {
		w.t.Fatal(err)
	}
}

// consoleScreen is one screen of the walk: where it is and what to click on it once loaded (open
// its dialog, send its form empty) before it is checked.
type consoleScreen struct {
	name string
	path string
	open string // a CSS selector to click once the page is ready (a dialog's button), if any
	wait string // a CSS selector that must be visible before the check, if any
}

// signedInScreens are every console screen an operator reaches once signed in.
func (w *a11yWorld) signedInScreens() []consoleScreen {
	p := partnerPath(w.partner, "")
	card := w.cardPath(w.card.ID, "")
	return []consoleScreen{
		{name: "dashboard", path: "/"},
		{name: "partner", path: p},
		{name: "top-ups (form, review queue, history)", path: p + "/top-ups", wait: `[data-testid="pr-approve"]`},
		{name: "top-up code dialog", path: p + "/top-ups", open: `[data-open-dialog="top-up-otp"]`, wait: `dialog[open]`},
		{name: "cardholders", path: p + "/cardholders"},
		{name: "new cardholder", path: p + "/cardholders/new"},
		{name: "new cardholder refused", path: p + "/cardholders/new", open: `[data-testid="cardholder-submit"]`, wait: `[data-field-error]`},
		{name: "cardholder", path: w.holderPath("")},
		{name: "cardholder reveal dialog", path: w.holderPath(""), open: `[data-open-dialog="reveal-otp"]`, wait: `dialog[open]`},
		{name: "close cardholder dialog", path: w.holderPath(""), open: `[data-testid="close-open"]`, wait: `dialog[open]`},
		{name: "cardholder activity", path: w.holderPath("/activity"), wait: `[data-testid="activity-list"]`},
		{name: "card activity", path: card + "/activity", wait: `[data-testid="activity-list"]`},
		{name: "cardholder's cards", path: w.holderPath("/cards")},
		{name: "card action code dialog", path: w.holderPath("/cards"), open: `[data-open-dialog^="card-otp-"]`, wait: `dialog[open]`},
		{name: "linked cards", path: w.holderPath("/cards/association")},
		{name: "card page (funds forms)", path: card},
		{name: "funds form refused", path: card, open: `[data-testid="load-review"]`, wait: `[data-field-error]`},
		{name: "funds review", path: card + "/funds/review?operation=add&amount=10.00", wait: `[data-testid="funds-review"]`},
		{name: "funds review code dialog", path: card + "/funds/review?operation=add&amount=10.00", open: `[data-open-dialog="funds-otp"]`, wait: `dialog[open]`},
		{name: "movements", path: card + "/movements"},
		{name: "movement", path: card + "/movements/" + itoa(w.movement)},
		{name: "partner's cards", path: p + "/cards"},
		{name: "reversals queue", path: p + "/reversals"},
		{name: "bulk files", path: p + "/bulk"},
		{name: "bulk files code dialog", path: p + "/bulk", open: `[data-open-dialog="bulk-otp"]`, wait: `dialog[open]`},
		{name: "payroll approval code dialog", path: p + "/bulk", open: `[data-open-dialog^="payout-otp-"]`, wait: `dialog[open]`},
		{name: "team", path: p + "/users"},
		{name: "operator", path: p + "/users/" + itoa(w.maker.ID)},
		{name: "operator permissions code dialog", path: p + "/users/" + itoa(w.maker.ID), open: `[data-open-dialog="grants-otp"]`, wait: `dialog[open]`},
		{name: "my account", path: "/cms/rest/app/users/me"},
		{name: "audit log", path: "/cms/rest/app/audit"},
		{name: "client requests", path: "/api/v2/applications"},
		{name: "client request", path: "/api/v2/applications/" + itoa(w.request)},
		{name: "new client request", path: "/api/v2/applications/new"},
		{name: "resolutions", path: "/api/v2/resolutions"},
		{name: "not found", path: "/no-such-page"},
		{name: "forbidden", path: partnerPath(w.stranger, "")},
	}
}
