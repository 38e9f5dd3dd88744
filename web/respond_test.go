package web

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"cardconsole/store"
)

// answerTo runs answer for a request with the given headers, without a database, and returns the
// recorded answer and its error.
func answerTo(headers map[string]string, answer func(a *App, c echo.Context) error) (*httptest.ResponseRecorder, error) {
	a, e := New(Options{BaseURL: "http://127.0.0.1:8080", SessionKey: []byte("0123456789abcdef0123456789abcdef"),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	req := httptest.NewRequest(http.MethodPost, "/things", nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	return rec, answer(a, e.NewContext(req, rec))
}

// respondTo is answerTo for an answer that must not fail.
func respondTo(t *testing.T, headers map[string]string, answer func(a *App, c echo.Context) error) *httptest.ResponseRecorder {
	t.Helper()
	rec, err := answerTo(headers, answer)
	if err != nil {
		t.Fatalf("answer: %v", err)
	}
	return rec
}

var (
	asAPI   = map[string]string{"Accept": "application/json"}
	asHTMX  = map[string]string{"HX-Request": "true", "Accept": "text/html"}
	asPlain = map[string]string{"Accept": "text/html"}
)

// TestRespondAfterAChange: one view answers the API with its data, HTMX with its fragment, the
// events and the flash out of band, and a plain form post with a 303 and the flash in the session.
func TestRespondAfterAChange(t *testing.T) {
	view := func() View {
		return View{Status: http.StatusCreated, Data: map[string]int{"id": 7}, Partial: templ.Raw(`<p id="fresh">form</p>`),
			Trigger: "things-changed", Flash: Flashed(Success, "Thing 7 saved."),
			Redirect: &Redirect{To: "/things/7", Flash: Flashed(Success, "Thing 7 saved.")}}
	}
	api := respondTo(t, asAPI, func(a *App, c echo.Context) error { return a.Respond(c, view()) })
	if api.Code != http.StatusCreated || !strings.Contains(api.Body.String(), `"data":{"id":7}`) || api.Header().Get("HX-Trigger") != "" {
		t.Errorf("API: %d %v %s", api.Code, api.Header(), api.Body)
	}
	htmx := respondTo(t, asHTMX, func(a *App, c echo.Context) error { return a.Respond(c, view()) })
	if htmx.Code != http.StatusCreated || htmx.Header().Get("HX-Trigger") != "things-changed" || htmx.Header().Get("HX-Redirect") != "" ||
		!strings.Contains(htmx.Body.String(), `<p id="fresh">form</p>`) || !strings.Contains(htmx.Body.String(), `hx-swap-oob`) ||
		!strings.Contains(htmx.Body.String(), "Thing 7 saved.") {
		t.Errorf("HTMX: %d %v %s", htmx.Code, htmx.Header(), htmx.Body)
	}
	plain := respondTo(t, asPlain, func(a *App, c echo.Context) error { return a.Respond(c, view()) })
	if plain.Code != http.StatusSeeOther || plain.Header().Get("Location") != "/things/7" || plain.Header().Get("Set-Cookie") == "" {
		t.Errorf("plain post: %d %v", plain.Code, plain.Header())
	}
}

// TestRespondRedirectsHTMXWithoutAFragment: HX-Redirect with the view's status, 204 without one,
// or the redirect's own status; the applications API gets its bare body.
func TestRespondRedirectsHTMXWithoutAFragment(t *testing.T) {
	for _, tc := range []struct {
		view View
		want int
	}{
		{View{Redirect: &Redirect{To: "/x"}}, http.StatusNoContent},
		{View{Status: http.StatusCreated, Redirect: &Redirect{To: "/x"}}, http.StatusCreated},
		{View{Status: http.StatusCreated, Redirect: &Redirect{To: "/x", HTMXStatus: http.StatusNoContent}}, http.StatusNoContent},
	} {
		rec := respondTo(t, asHTMX, func(a *App, c echo.Context) error { return a.Respond(c, tc.view) })
		if rec.Code != tc.want || rec.Header().Get("HX-Redirect") != "/x" {
			t.Errorf("%+v: %d %v", tc.view, rec.Code, rec.Header())
		}
	}
	bare := respondTo(t, asAPI, func(a *App, c echo.Context) error {
		return a.Respond(c, View{Body: ApplicationsBody, Data: map[string]int{"id": 7}, Redirect: &Redirect{To: "/x"}})
	})
	if got := strings.TrimSpace(bare.Body.String()); got != `{"id":7}` {
		t.Errorf("applications body: %s", got)
	}
}

// TestLazyPageIsBuiltOnlyForABrowser: API clients and HTMX never run a lazy page's queries.
func TestLazyPageIsBuiltOnlyForABrowser(t *testing.T) {
	for _, h := range []map[string]string{asAPI, asHTMX} {
		built := false
		page := Lazy(func() (templ.Component, error) { built = true; return templ.Raw("page"), nil })
		respondTo(t, h, func(a *App, c echo.Context) error {
			return a.Respond(c, View{Data: 1, Partial: templ.Raw("fragment"), Page: page})
		})
		if built {
			t.Errorf("%v: the page was built", h)
		}
	}
	failing := Lazy(func() (templ.Component, error) { return nil, store.NotFound("thing") })
	rec, err := answerTo(asHTMX, func(a *App, c echo.Context) error {
		return a.Respond(c, View{Partial: failing, Trigger: "things-changed"})
	})
	if !store.IsCode(err, store.CodeNotFound) || rec.Header().Get("HX-Trigger") != "" {
		t.Errorf("a failing lazy fragment: %v, HX-Trigger %q", err, rec.Header().Get("HX-Trigger"))
	}
}

// TestRespondInvalidIsTheOneFormErrorPath: API clients and errors without fields get the error;
// the console gets the form with each message beside its field (422), a one-time code's refusal on
// the otp field, and a fragment-only form answers HTMX only.
func TestRespondInvalidIsTheOneFormErrorPath(t *testing.T) {
	var v store.Validation
	v.Add("amount", "amount is required")
	invalid := v.Err()
	form := func(fields map[string]string) (View, error) {
		return View{Partial: templ.Raw(`<p>` + fields["amount"] + fields["otp"] + `</p>`)}, nil
	}
	for _, tc := range []struct {
		name    string
		headers map[string]string
		err     error
		refused bool // the error is returned rather than the form
	}{
		{"API", asAPI, invalid, true},
		{"no field", asHTMX, store.NewError(store.CodeConflict, "taken"), true},
		{"HTMX", asHTMX, invalid, false},
		{"one-time code", asHTMX, store.NewError(store.CodeOTPInvalid, "the code is wrong"), false},
		{"plain post of a fragment-only form", asPlain, invalid, true},
	} {
		rec, err := answerTo(tc.headers, func(a *App, c echo.Context) error { return a.RespondInvalid(c, tc.err, form) })
		switch {
		case !tc.refused && (err != nil || rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "<p>")):
			t.Errorf("%s: %v %d %s", tc.name, err, rec.Code, rec.Body)
		case tc.refused && !errors.Is(err, tc.err):
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.err)
		}
	}
}
