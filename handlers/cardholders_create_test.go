package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store"
)

func TestCreateCardholderRefusesEachInvalidField(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal", "GTQ")
	env, p := fx.Env, fx.Partner
	op := fx.Role("ana", "admin")
	card := chStock(t, env, p, 1)[0]
	path := "/cms/rest/app/partners/" + itoa(p) + "/cardholders"
	tomorrow := time.Now().AddDate(0, 0, 1).Format(time.DateOnly)
	today := time.Now().Format(time.DateOnly)

	cases := []struct {
		name  string
		field string
		value any
	}{
		{"name missing", "name", ""},
		{"name with digits", "name", "J0hn"},
		{"name too long", "name", strings.Repeat("a", 81)},
		{"name of wrong type", "name", true},
		{"name as object", "name", map[string]any{"first": "Ana"}},
		{"last name missing", "lastName", "   "},
		{"last name with symbols", "lastName", "Ramírez!"},
		{"address missing", "address", ""},
		{"address too long", "address", strings.Repeat("x", 201)},
		{"address on two lines", "address", "Calle 1\nZona 2"},
		{"country missing", "countryOfBirth", ""},
		{"country unknown", "countryOfBirth", "XX"},
		{"country in lower case", "countryOfBirth", "gt"},
		{"country alpha-3", "countryOfBirth", "GTM"},
		{"country reserved", "countryOfBirth", "EU"},
		{"birth date missing", "dateOfBirth", ""},
		{"birth date in another format", "dateOfBirth", "12/05/1990"},
		{"birth date not a real day", "dateOfBirth", "1990-02-30"},
		{"birth date tomorrow", "dateOfBirth", tomorrow},
		{"birth date today", "dateOfBirth", today},
		{"birth date before 1900", "dateOfBirth", "1899-12-31"},
		{"marital status missing", "maritalStatus", ""},
		{"marital status capitalised", "maritalStatus", "Soltero"},
		{"marital status in English", "maritalStatus", "married"},
		{"gender missing", "gender", ""},
		{"gender lower case", "gender", "f"},
		{"gender unknown", "gender", "X"},
		{"phone missing", "phoneNumber", ""},
		{"phone with dashes", "phoneNumber", "5555-1234"},
		{"phone too short", "phoneNumber", "1234567"},
		{"phone too long", "phoneNumber", "+1234567890123456"},
		{"email missing", "email", ""},
		{"email without domain", "email", "maria"},
		{"email without dot in domain", "email", "maria@example"},
		{"email with display name", "email", "María <maria@example.com>"},
		{"email too long", "email", strings.Repeat("a", 250) + "@example.com"},
		{"document type missing", "documentType", ""},
		{"document type lower case", "documentType", "dpi"},
		{"document type unknown", "documentType", "DNI"},
		{"document number missing", "documentNumber", ""},
		{"DPI of 12 digits", "documentNumber", "234567890123"},
		{"DPI with letters", "documentNumber", "23456789012AB"},
		{"card missing", "cardId", nil},
		{"card zero", "cardId", 0},
		{"card negative", "cardId", -3},
		{"card not a number", "cardId", "abc"},
		{"card of wrong type", "cardId", []int{1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := chBody(card, "2345678901234")
			if tc.value == nil {
				delete(body, tc.field)
			} else {
				body[tc.field] = tc.value
			}
			res := op.Do(http.MethodPost, path, body).WantError(http.StatusBadRequest, "7000")
			got := res.FieldErrors()
			if len(got) != 1 || got[tc.field] != "7000" {
				t.Fatalf("field errors %v, want only %s: %s", got, tc.field, res.Body)
			}
		})
	}

	t.Run("document rules per type", func(t *testing.T) {
		for _, d := range []struct {
			docType, number string
			ok              bool
		}{
			{"NIT", "1234567-K", true}, {"NIT", "12345678", true}, {"NIT", "1234567-X", false},
			{"PASSPORT", "ab12345", true}, {"PASSPORT", "AB1", false}, {"PASSPORT", "AB-12345", false},
			{"PERSONAL_ID", "001-1234567-8", true}, {"RESIDENCE_ID", "ab", false}, {"LEGAL_ID", "J 123", false},
		} {
			body := chBody(0, d.number)
			body["documentType"] = d.docType
			res := op.Do(http.MethodPost, path, body).WantStatus(http.StatusBadRequest)
			_, bad := res.FieldErrors()["documentNumber"]
			if bad == d.ok {
				t.Errorf("%s %q: documentNumber refused=%v, want %v: %s", d.docType, d.number, bad, !d.ok, res.Body)
			}
		}
	})

	t.Run("an empty body lists every field", func(t *testing.T) {
		res := op.Do(http.MethodPost, path, map[string]any{}).WantError(http.StatusBadRequest, "7000")
		got := res.FieldErrors()
		for _, f := range []string{"name", "lastName", "address", "countryOfBirth", "dateOfBirth", "maritalStatus", "gender",
			"phoneNumber", "email", "documentType", "documentNumber", "cardId"} {
			if got[f] != "7000" {
				t.Errorf("no error for %s: %s", f, res.Body)
			}
		}
	})

	t.Run("a body that is not an object", func(t *testing.T) {
		op.Do(http.MethodPost, path, "[1, 2]").WantError(http.StatusBadRequest, "7000")
		op.Do(http.MethodPost, path, "{").WantError(http.StatusBadRequest, "7000")
	})

	var n int
	if err := env.Store.DB().Get(&n, `SELECT count(*) FROM cardholders`); err != nil || n != 0 {
		t.Fatalf("invalid bodies created %d cardholders (%v)", n, err)
	}
}

func TestCreateCardholderAssignsTheCard(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal", "GTQ")
	env, p := fx.Env, fx.Partner
	op := fx.Role("ana", "maker")
	card := chStock(t, env, p, 1)[0]
	body := chBody(card, "2345678901234")
	body["email"] = "  Maria.Ramirez@Example.COM "
	body["phoneNumber"] = 50255551234 // a number is read as its digits

	res := op.Do(http.MethodPost, "/cms/rest/app/partners/"+itoa(p)+"/cardholders", body).WantStatus(http.StatusCreated)
	d := res.Data()
	if d["name"] != "María José" || d["lastName"] != "Ramírez" || d["email"] != "maria.ramirez@example.com" ||
		d["phoneNumber"] != "50255551234" || d["dateOfBirth"] != "1990-05-12" || d["countryOfBirth"] != "GT" ||
		d["documentType"] != "DPI" || d["documentNumber"] != "2345678901234" || d["partnerId"] != float64(p) {
		t.Fatalf("created %s", res.Body)
	}
	id := int64(d["id"].(float64))
	c, err := env.Store.CardByID(context.Background(), p, card)
	if err != nil || c.CardholderID == nil || *c.CardholderID != id || c.Status != store.CardInactive {
		t.Fatalf("card after create: %+v %v", c, err)
	}
	if chAudit(t, env, "cardholder.create", itoa(id)) != 1 {
		t.Fatal("the creation is not in the audit log")
	}
}

func TestCreateCardholderConflicts(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal", "GTQ")
	env, p := fx.Env, fx.Partner
	other := env.Partner("Andes", "USD")
	op := env.Operator("ana@example.com", false, apptest.Grant{Partner: p, Roles: []string{"admin"}},
		apptest.Grant{Partner: other, Roles: []string{"admin"}}).Login()
	stock := chStock(t, env, p, 5)
	foreign := chStock(t, env, other, 1)[0]
	path := "/cms/rest/app/partners/" + itoa(p) + "/cardholders"
	op.Do(http.MethodPost, path, chBody(stock[0], "2345678901234")).WantStatus(http.StatusCreated)

	count := func() int {
		var n int
		if err := env.Store.DB().Get(&n, `SELECT count(*) FROM cardholders`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()

	res := op.Do(http.MethodPost, path, chBody(stock[1], "2345678901234")).WantError(http.StatusConflict, "7011")
	if res.FieldErrors()["documentNumber"] != "7011" {
		t.Fatalf("duplicate document not reported on documentNumber: %s", res.Body)
	}
	res = op.Do(http.MethodPost, path, chBody(stock[0], "2345678901235")).WantError(http.StatusConflict, "7210")
	if res.FieldErrors()["cardId"] != "7210" {
		t.Fatalf("assigned card not reported on cardId: %s", res.Body)
	}
	op.Do(http.MethodPost, path, chBody(foreign, "2345678901235")).WantError(http.StatusConflict, "7210")
	op.Do(http.MethodPost, path, chBody(999999, "2345678901235")).WantError(http.StatusConflict, "7210")
	if count() != before {
		t.Fatal("a refused create left a cardholder behind")
	}
	if c, _ := env.Store.CardByID(context.Background(), other, foreign); c.CardholderID != nil {
		t.Fatal("another partner's card was assigned")
	}

	// The same number is another document under another type, or in another partner.
	nit := chBody(stock[1], "2345678901234")
	nit["documentType"] = "PERSONAL_ID"
	op.Do(http.MethodPost, path, nit).WantStatus(http.StatusCreated)
	op.Do(http.MethodPost, "/cms/rest/app/partners/"+itoa(other)+"/cardholders", chBody(chStock(t, env, other, 1)[0], "2345678901234")).
		WantStatus(http.StatusCreated)
}

func TestCreateCardholderNeedsThePermission(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal", "GTQ")
	env, p := fx.Env, fx.Partner
	other := env.Partner("Andes", "USD")
	viewer := fx.Role("viewer", "viewer")
	card := chStock(t, env, p, 1)[0]
	viewer.Do(http.MethodPost, "/cms/rest/app/partners/"+itoa(p)+"/cardholders", chBody(card, "2345678901234")).
		WantError(http.StatusForbidden, "7005")
	viewer.Do(http.MethodPost, "/cms/rest/app/partners/"+itoa(other)+"/cardholders", chBody(card, "2345678901234")).
		WantError(http.StatusForbidden, "7005")
}

func TestCardholderFormInTheConsole(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal", "GTQ")
	env, p := fx.Env, fx.Partner
	env.Operator("ana@example.com", false, apptest.Grant{Partner: p, Roles: []string{"maker"}})
	b := env.SignIn("ana@example.com")
	card := chStock(t, env, p, 1)[0]
	base := "/cms/rest/app/partners/" + itoa(p) + "/cardholders"

	page := b.Page(http.MethodGet, base+"/new", nil).WantStatus(http.StatusOK)
	if !page.IsPage() {
		t.Fatal("the form is not a full page")
	}
	page.WantSelectors(`[data-testid="cardholder-form"]`).WantHTML(`<option value="`+itoa(card)+`"`, `<option value="soltero"`, `<option value="GT"`)
	part := b.HTMX(http.MethodGet, base+"/new", nil).WantStatus(http.StatusOK)
	if part.IsPage() {
		t.Fatal("HTMX got the whole page")
	}

	form := url.Values{}
	for k, v := range chBody(card, "2345678901234") {
		form.Set(k, strings.Trim(strings.ReplaceAll(jsonText(v), `"`, ""), " "))
	}
	form.Set("email", "maria@")
	form.Set("dateOfBirth", "2999-01-01")
	bad := b.HTMX(http.MethodPost, base, form).WantStatus(http.StatusUnprocessableEntity)
	if bad.IsPage() {
		t.Fatal("the HTMX re-render is a whole page")
	}
	bad.WantSelectors(`[data-testid="error-email"]`, `[data-testid="error-dateOfBirth"]`).WantHTML(`value="María José"`)
	full := b.Page(http.MethodPost, base, form).WantStatus(http.StatusUnprocessableEntity)
	if !full.IsPage() {
		t.Fatal("the plain form post did not get the page back")
	}
	full.WantSelectors(`[data-testid="error-email"]`)

	form.Set("email", "maria@example.com")
	form.Set("dateOfBirth", "1990-05-12")
	ok := b.HTMX(http.MethodPost, base, form).WantStatus(http.StatusNoContent)
	if loc := ok.Header.Get("HX-Redirect"); !strings.HasPrefix(loc, base+"/") {
		t.Fatalf("HX-Redirect = %q", loc)
	}
}
