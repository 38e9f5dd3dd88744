package handlers_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store"
	"cardconsole/store/storetest"
)

// TestAuditPageNamesWhatEachEntryIsAbout: the audit log names the cardholder, the operator and the
// partner of an entry instead of their numbers, in the operator's language, with times in the
// partner's zone and the exact UTC time only on hover.
func TestAuditPageNamesWhatEachEntryIsAbout(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, handlers.Routes)
	p := env.Partner("Quetzal Pay", "GTQ")
	admin := env.Operator("admin@example.com", false, apptest.Grant{Partner: p, Roles: []string{"admin"}})
	holder := storetest.Cardholder(t, env.Store, p)
	if _, err := env.Store.SetCardholderTags(context.Background(), store.SystemActor("test"), p, holder, []string{"norte"}); err != nil {
		t.Fatal(err)
	}
	invited := int64(admin.Do(http.MethodPost, usersPath(p, ""), map[string]any{"email": "nuevo@example.com", "roles": []string{"viewer"}}).
		WantStatus(http.StatusCreated).Data()["operatorId"].(float64))

	en := env.SignIn(admin.Email).Get("/cms/rest/app/audit?limit=100", false).WantStatus(http.StatusOK).
		WantText(`[data-object="cardholder:`+itoa(holder)+`"]`, "Cardholder Ana Pérez").
		WantText(`[data-object="operator:`+itoa(invited)+`"]`, "Operator nuevo@example.com").
		WantText(`[data-testid="zone-note"]`, "Times in Guatemala time (UTC−6); hover over a time for the exact time in UTC.")
	partners := en.Find(`[data-testid="audit-partner"]`).Map(func(_ int, s *goquery.Selection) string { return strings.TrimSpace(s.Text()) })
	if !slices.Contains(partners, "Quetzal Pay") || slices.ContainsFunc(partners, func(s string) bool { return s != "" && s != "Quetzal Pay" }) {
		t.Errorf("the partner column reads %q, want the partner's name", partners)
	}

	es := env.Console()
	es.Lang = "es"
	es.Login(admin.Email, apptest.Password).WantStatus(http.StatusSeeOther)
	page := es.Get("/cms/rest/app/audit?limit=100", false).WantStatus(http.StatusOK).
		WantText(`[data-object="cardholder:`+itoa(holder)+`"]`, "Tarjetahabiente Ana Pérez").
		WantText(`[data-object="operator:`+itoa(invited)+`"]`, "Operador nuevo@example.com").
		WantText("h1", "Bitácora de auditoría")
	when := page.Find(`[data-testid="audit-when"]`).First()
	shown, exact := strings.TrimSpace(when.Text()), when.AttrOr("title", "")
	local, err := time.ParseInLocation("02/01/2006 15:04", shown, time.FixedZone("GT", -6*3600))
	if err != nil {
		t.Fatalf("the time %q is not dd/mm/aaaa hh:mm: %v", shown, err)
	}
	utc, err := time.Parse("2006-01-02 15:04:05 UTC", exact)
	if err != nil {
		t.Fatalf("the tooltip %q is not the exact UTC time: %v", exact, err)
	}
	if !local.Equal(utc.Truncate(time.Minute)) {
		t.Errorf("the time shown %q is not the tooltip's %q in Guatemala time", shown, exact)
	}
}
