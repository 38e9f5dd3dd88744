package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store"
)

// TestConsoleLanguageResolution: the operator's saved choice wins, else the partner's country
// (GT → Spanish), else the browser's Accept-Language, else Spanish.
func TestConsoleLanguageResolution(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, handlers.Routes)
	gt, other := env.Partner("Quetzal Pay", "GTQ"), env.Partner("Somewhere Co", "USD")
	if err := env.Store.SetPartnerCountry(context.Background(), store.SystemActor("test"), gt, "GT"); err != nil {
		t.Fatal(err)
	}
	env.Operator("ana@example.com", false, apptest.Grant{Partner: gt, Roles: []string{"viewer"}})
	env.Operator("bob@example.com", false, apptest.Grant{Partner: other, Roles: []string{"viewer"}})

	// Ana's partner is Guatemalan: Spanish although her browser asks for English.
	ana := env.SignIn("ana@example.com")
	ana.Get("/", false).WantStatus(http.StatusOK).
		Contains(`<html lang="es"`, "<title>Socios · cardconsole</title>", ">Cerrar sesión<", `aria-pressed="true" data-testid="language-es"`).
		Lacks(">Log out<", "available balance")

	// She picks English in the header: kept on her, so it wins over the partner's country.
	ana.PostForm("/language", url.Values{"_csrf": {ana.CSRF}, "language": {"en"}, "next": {"/?x=1"}}).
		WantStatus(http.StatusSeeOther)
	ana.Get("/", false).WantStatus(http.StatusOK).Contains(`<html lang="en"`, ">Log out<", "Language saved.").Lacks(">Cerrar sesión<")
	ana.Lang = "es"
	ana.Get("/", false).WantStatus(http.StatusOK).Contains(`<html lang="en"`)

	// Bob's partner has no country: his browser decides, and without one the console speaks Spanish.
	bob := env.SignIn("bob@example.com")
	bob.Get("/", false).Contains(`<html lang="en"`)
	bob.Lang = "es-GT,es;q=0.9,en;q=0.5"
	bob.Get("/", false).Contains(`<html lang="es"`, ">Socios<")
	bob.Lang = ""
	bob.Get("/", false).Contains(`<html lang="es"`)

	// The login page follows the browser.
	anon := env.Console()
	anon.Lang = "es"
	anon.Get("/login", false).Contains(`<html lang="es"`, "Iniciar sesión", "Contraseña").Lacks("Password")
	anon.Login("ana@example.com", "wrong").WantStatus(http.StatusUnauthorized).Contains("Correo o contraseña incorrectos")
}

// TestLanguagePickerRefusesBadInput: the choice needs the CSRF token and is one of the two languages.
func TestLanguagePickerRefusesBadInput(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal Pay", "GTQ")
	env, p := fx.Env, fx.Partner
	env.Operator("ana@example.com", false, apptest.Grant{Partner: p, Roles: []string{"viewer"}})
	c := env.SignIn("ana@example.com")
	c.PostForm("/language", url.Values{"language": {"en"}}).WantStatus(http.StatusForbidden)
	c.PostForm("/language", url.Values{"_csrf": {c.CSRF}, "language": {"fr"}}).WantStatus(http.StatusBadRequest)
	// An outside destination is not followed.
	res := c.PostForm("/language", url.Values{"_csrf": {c.CSRF}, "language": {"es"}, "next": {"//evil.example/"}})
	if res.WantStatus(http.StatusSeeOther); res.Header.Get("Location") != "/" {
		t.Fatalf("redirected to %q", res.Header.Get("Location"))
	}
}

// TestAPIMessagesFollowAcceptLanguage: the message texts of an error envelope are Spanish or
// English as asked; codes and field keys never change.
func TestAPIMessagesFollowAcceptLanguage(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal Pay", "GTQ")
	env, p := fx.Env, fx.Partner
	op := fx.Role("ana", "admin")
	path := "/cms/rest/app/partners/" + itoa(p) + "/cardholders"

	errorsIn := func(lang string) (string, map[string][2]string) {
		req, _ := http.NewRequest(http.MethodPost, env.Server.URL+path, strings.NewReader(`{"name":"Ana"}`))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range op.Headers() {
			req.Header.Set(k, v)
		}
		if lang != "" {
			req.Header.Set("Accept-Language", lang)
		}
		res := env.Send(req).WantError(http.StatusBadRequest, "7000")
		var env struct {
			Message string
			Errors  []struct{ Code, Message, Field string }
		}
		res.Decode(&env)
		out := map[string][2]string{}
		for _, e := range env.Errors {
			out[e.Field] = [2]string{e.Code, e.Message}
		}
		return env.Message, out
	}
	msg, en := errorsIn("en-US")
	if msg != "invalid parameters" || en["dateOfBirth"] != [2]string{"7000", "dateOfBirth is required"} {
		t.Fatalf("English: %q %v", msg, en)
	}
	msg, es := errorsIn("es")
	if msg != "Datos no válidos" || es["dateOfBirth"] != [2]string{"7000", "fecha de nacimiento: es obligatorio"} {
		t.Fatalf("Spanish: %q %v", msg, es)
	}
	if len(es) != len(en) {
		t.Fatalf("the fields differ: %v vs %v", es, en)
	}
	for field, e := range en {
		if es[field][0] != e[0] {
			t.Errorf("field %s: code %s in Spanish, %s in English", field, es[field][0], e[0])
		}
		if es[field][1] == e[1] {
			t.Errorf("field %s: the Spanish message is the English one: %q", field, e[1])
		}
	}
	// Without Accept-Language the API answers in Spanish, the console's default.
	if msg, _ := errorsIn(""); msg != "Datos no válidos" {
		t.Fatalf("default: %q", msg)
	}

	// A success message follows the same rule; the data does not change.
	stock := chStock(t, env, p, 2)
	createdIn := func(lang string, cardID int64, document, email, phone string) string {
		body := chBody(cardID, document)
		body["email"], body["phoneNumber"] = email, phone
		headers := op.Headers()
		headers["Accept-Language"] = lang
		res := env.Do(http.MethodPost, path, headers, body).WantStatus(http.StatusCreated)
		var answer struct{ Message string }
		res.Decode(&answer)
		return answer.Message
	}
	if msg := createdIn("en", stock[0], "1234567890101", "ana.en@example.com", "50255550001"); msg != "cardholder created" {
		t.Fatalf("English success: %q", msg)
	}
	if msg := createdIn("es-GT", stock[1], "1234567890102", "ana.es@example.com", "50255550002"); msg != "tarjetahabiente creado" {
		t.Fatalf("Spanish success: %q", msg)
	}
}
