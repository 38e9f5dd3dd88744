package handlers_test

import (
	"net/http"
	"net/url"
	"testing"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
)

func TestCardholderDetailWithoutOTP(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal", "GTQ")
	env, p := fx.Env, fx.Partner
	other := env.Partner("Andes", "USD")
	op := env.Operator("ana@example.com", false, apptest.Grant{Partner: p, Roles: []string{"viewer"}},
		apptest.Grant{Partner: other, Roles: []string{"viewer"}}).Login()
	id := chCreate(t, env, p, chPerson("María", "Ramírez", "maria@example.com", "50255551234", "DPI", "2345678901234"))
	foreign := chCreate(t, env, other, chPerson("Juan", "Otro", "juan@example.com", "50255550000", "DPI", "2345678901299"))
	path := "/cms/rest/app/partners/" + itoa(p) + "/cardholders/"

	// The body is optional for an operator without cardholders:otp.
	res := op.Do(http.MethodPost, path+itoa(id), nil).WantStatus(http.StatusOK)
	d := res.Data()
	if d["name"] != "María" || d["address"] != "Calle 1" || d["dateOfBirth"] != "1985-03-04" || d["maritalStatus"] != "casado" {
		t.Fatalf("detail %s", res.Body)
	}
	cards := d["cards"].([]any)
	if len(cards) != 1 || cards[0].(map[string]any)["ownership"] != "OWNED" {
		t.Fatalf("cards of the detail: %v", cards)
	}
	op.Do(http.MethodPost, path+itoa(id), map[string]string{}).WantStatus(http.StatusOK)
	if n := chAudit(t, env, "cardholder.read", itoa(id)); n != 2 {
		t.Fatalf("%d reads audited, want 2", n)
	}
	var actor string
	if err := env.Store.DB().Get(&actor, `SELECT actor_label FROM audit_log WHERE action = 'cardholder.read' LIMIT 1`); err != nil || actor != "ana@example.com" {
		t.Fatalf("read audited as %q (%v)", actor, err)
	}

	// Another partner's cardholder through this partner is not found, and leaves no read behind.
	op.Do(http.MethodPost, path+itoa(foreign), nil).WantError(http.StatusNotFound, "7100")
	op.Do(http.MethodPost, path+"99999", nil).WantError(http.StatusNotFound, "7100")
	op.Do(http.MethodPost, path+"abc", nil).WantError(http.StatusNotFound, "7100")
	if chAudit(t, env, "cardholder.read", itoa(foreign)) != 0 {
		t.Fatal("a refused read was audited as a read")
	}

	// Without cardholders:detail the detail is refused.
	lister := env.Operator("lister@example.com", false, apptest.Grant{Partner: p, Permissions: []string{"cardholders:list"}}).Login()
	lister.Do(http.MethodPost, path+itoa(id), nil).WantError(http.StatusForbidden, "7005")
}

func TestCardholderDetailWithOTP(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal", "GTQ")
	env, p := fx.Env, fx.Partner
	op := env.Operator("ana@example.com", true, apptest.Grant{Partner: p, Roles: []string{"viewer"}, Permissions: []string{"cardholders:otp"}}).Login()
	id := chCreate(t, env, p, chPerson("María", "Ramírez", "maria@example.com", "50255551234", "DPI", "2345678901234"))
	path := "/cms/rest/app/partners/" + itoa(p) + "/cardholders/" + itoa(id)

	op.Do(http.MethodPost, path, nil).WantError(http.StatusForbidden, "7007")
	op.Do(http.MethodPost, path, map[string]string{"otp": "000000"}).WantError(http.StatusForbidden, "7008")
	op.Do(http.MethodPost, path, map[string]string{"otp": "12ab"}).WantError(http.StatusForbidden, "7008")
	code := op.OTP()
	op.Do(http.MethodPost, path, map[string]string{"otp": code}).WantStatus(http.StatusOK)
	op.Do(http.MethodPost, path, map[string]string{"otp": code}).WantError(http.StatusForbidden, "7008") // replayed
	if n := chAudit(t, env, "cardholder.read", itoa(id)); n != 1 {
		t.Fatalf("%d reads audited, want the one that passed", n)
	}

	// The page (GET) keeps the personal data back until the code is given.
	res := op.Do(http.MethodGet, path, nil).WantStatus(http.StatusOK)
	d := res.Data()
	if d["otpRequired"] != true || d["cardholder"] != nil || len(d["cards"].([]any)) != 1 {
		t.Fatalf("page JSON: %s", res.Body)
	}
	if n := chAudit(t, env, "cardholder.read", itoa(id)); n != 1 {
		t.Fatal("the page read personal data without a code")
	}
}

func TestCardholderPageInTheConsole(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal", "GTQ")
	env, p := fx.Env, fx.Partner
	env.Operator("plain@example.com", false, apptest.Grant{Partner: p, Roles: []string{"maker"}})
	otpOp := env.Operator("otp@example.com", true, apptest.Grant{Partner: p, Roles: []string{"maker"}, Permissions: []string{"cardholders:otp"}})
	id := chCreate(t, env, p, chPerson("María", "Ramírez", "maria@example.com", "50255551234", "DPI", "2345678901234"))
	path := "/cms/rest/app/partners/" + itoa(p) + "/cardholders/" + itoa(id)

	plain := env.SignIn("plain@example.com")
	page := plain.Page(http.MethodGet, path, nil).WantStatus(http.StatusOK)
	page.WantSelectors(`[data-testid="cards-panel"]`, `[data-testid="third-party-panel"]`).WantHTML(`data-testid="pd-address">Calle 1<`, "María Ramírez")

	b := env.SignIn("otp@example.com")
	page = b.Page(http.MethodGet, path, nil).WantStatus(http.StatusOK)
	page.WantSelectors(`[data-testid="reveal-personal-data"]`, `[data-testid="otp-dialog"]`)
	if chAudit(t, env, "cardholder.read", itoa(id)) != 1 {
		t.Fatal("reads: want only the plain operator's")
	}
	part := b.HTMX(http.MethodPost, path, url.Values{"otp": {otpOp.OTP()}}).WantStatus(http.StatusOK)
	if part.IsPage() {
		t.Fatal("HTMX got the page")
	}
	part.WantSelectors(`[id="personal-data"]`).WantHTML(`data-testid="pd-email">maria@example.com<`)
	b.HTMX(http.MethodPost, path, url.Values{"otp": {"000000"}}).WantStatus(http.StatusForbidden)
	full := b.Page(http.MethodPost, path, url.Values{"otp": {otpOp.OTP()}}).WantStatus(http.StatusOK)
	if !full.IsPage() {
		t.Fatal("the plain post did not get the page")
	}
	full.WantHTML(`data-testid="pd-document">DPI 2345678901234<`)
}

// The console GETs answer a fragment to HTMX, and a plain form post creates and redirects.
func TestCardholderConsoleFragments(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal", "GTQ")
	env, p := fx.Env, fx.Partner
	env.Operator("ana@example.com", false, apptest.Grant{Partner: p, Roles: []string{"maker"}})
	b := env.SignIn("ana@example.com")
	id := chCreate(t, env, p, chPerson("María", "Ramírez", "maria@example.com", "50255551234", "DPI", "2345678901234"))
	base := "/cms/rest/app/partners/" + itoa(p) + "/cardholders/" + itoa(id)
	for path, fragment := range map[string]string{
		base:                        `id="personal-data"`,
		base + "/cards":             `id="cards-panel"`,
		base + "/cards/association": `id="third-party-cards"`,
		"/cms/rest/app/partners/" + itoa(p) + "/cards": `id="cards-table"`,
	} {
		res := b.HTMX(http.MethodGet, path, nil).WantStatus(http.StatusOK)
		if res.IsPage() {
			t.Errorf("%s: HTMX got the whole page", path)
		}
		res.WantHTML(fragment)
	}

	card := chStock(t, env, p, 1)[0]
	form := url.Values{"name": {"José"}, "lastName": {"López"}, "address": {"Calle 2"}, "countryOfBirth": {"GT"},
		"dateOfBirth": {"1980-01-01"}, "maritalStatus": {"casado"}, "gender": {"M"}, "phoneNumber": {"50244443333"},
		"email": {"jose@example.com"}, "documentType": {"DPI"}, "documentNumber": {"1234567890123"}, "cardId": {itoa(card)}}
	res := b.Page(http.MethodPost, "/cms/rest/app/partners/"+itoa(p)+"/cardholders", form).WantStatus(http.StatusSeeOther)
	page := b.Page(http.MethodGet, res.Header.Get("Location"), nil).WantStatus(http.StatusOK)
	page.WantSelectors(`[data-testid="card-row-` + itoa(card) + `"]`).WantHTML("Cardholder José López created")
}
