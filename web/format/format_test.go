package format

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"cardconsole/store/money"
	"cardconsole/web/i18n"
)

func ctxIn(lang string) context.Context {
	return i18n.WithLocale(context.Background(), i18n.Locale{Lang: lang, Zone: Zone("America/Guatemala")})
}

func TestMoney(t *testing.T) {
	for _, c := range []struct{ amount, currency, want string }{
		{"250000", "GTQ", "Q 250,000.00"},
		{"1250.5", "USD", "US$ 1,250.50"},
		{"0.5", "GTQ", "Q 0.50"},
		{"999.9999", "GTQ", "Q 999.9999"},
		{"1000", "GTQ", "Q 1,000.00"},
		{"123456789.12", "EUR", "€ 123,456,789.12"},
		{"-99799", "GTQ", "Q -99,799.00"},
		{"12", "XYZ", "XYZ 12.00"},
	} {
		if got := Money(decimal.RequireFromString(c.amount), c.currency); got != c.want {
			t.Errorf("Money(%s, %s) = %q, want %q", c.amount, c.currency, got, c.want)
		}
	}
}

func TestParseAmount(t *testing.T) {
	for _, c := range []struct {
		in, want string
		err      error
	}{
		{"12,500.00", "12500", nil},
		{"12500", "12500", nil},
		{"12500.5", "12500.5", nil},
		{"1,250", "1250", nil},
		{"1,234,567.8912", "1234567.8912", nil},
		{" Q 12,500.00 ", "12500", nil},
		{"US$ 1,250.50", "1250.5", nil},
		{"12.500,00", "", ErrAmbiguous},
		{"1,25", "", ErrAmbiguous},
		{"12,50", "", ErrAmbiguous},
		{"1,2500", "", ErrAmbiguous},
		{"12,500,00", "", ErrAmbiguous},
		{",500", "", ErrAmbiguous},
		{"1,,500", "", ErrAmbiguous},
		{"0", "", money.ErrNotPositive},
		{"abc", "", money.ErrFormat},
		{"1.12345", "", money.ErrFormat},
	} {
		got, err := ParseAmount(c.in)
		if !errors.Is(err, c.err) {
			t.Errorf("ParseAmount(%q) error = %v, want %v", c.in, err, c.err)
			continue
		}
		if err == nil && !got.Equal(decimal.RequireFromString(c.want)) {
			t.Errorf("ParseAmount(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestDatesInThePartnersZone(t *testing.T) {
	// 21:30 in Guatemala on 5 March is 03:30 UTC on 6 March: the console must say the 5th.
	at := time.Date(2026, 3, 6, 3, 30, 0, 0, time.UTC)
	es, en := ctxIn(i18n.ES), ctxIn(i18n.EN)
	for _, c := range []struct{ got, want string }{
		{Date(es, at), "05/03/2026"},
		{DateTime(es, at), "05/03/2026 21:30"},
		{DateTime(en, at), "2026-03-05 21:30"},
		{Exact(es, at), "05/03/2026 21:30:00 UTC−6"},
		{ZoneName(es, at), "hora de Guatemala (UTC−6)"},
		{ZoneName(en, at), "Guatemala time (UTC−6)"},
		{Month(es, time.March), "marzo"},
		{Month(en, time.March), "March"},
		{Day(es, "1990-03-05"), "05/03/1990"},
		{Day(en, "1990-03-05"), "1990-03-05"},
		{Day(es, "not a day"), "not a day"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	ny := i18n.WithLocale(context.Background(), i18n.Locale{Lang: i18n.EN, Zone: Zone("America/New_York")})
	if got := ZoneName(ny, time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)); got != "New York time (UTC−4)" {
		t.Errorf("summer in New York = %q", got)
	}
	if got := Offset(time.Date(2026, 1, 1, 0, 0, 0, 0, Zone("Asia/Kolkata"))); got != "UTC+5:30" {
		t.Errorf("Offset in Kolkata = %q", got)
	}
	if Zone("Not/AZone") != i18n.DefaultZone {
		t.Error("an unknown zone does not fall back to the default")
	}
}

func TestRelative(t *testing.T) {
	now := time.Date(2026, 3, 6, 12, 0, 0, 0, time.UTC)
	es, en := ctxIn(i18n.ES), ctxIn(i18n.EN)
	for _, c := range []struct {
		ctx  context.Context
		ago  time.Duration
		want string
	}{
		{es, 10 * time.Second, "hace un momento"},
		{es, 3 * time.Minute, "hace 3 min"},
		{en, 3 * time.Minute, "3 min ago"},
		{es, time.Hour, "hace 1 hora"},
		{es, 5 * time.Hour, "hace 5 horas"},
		{en, 49 * time.Hour, "2 days ago"},
		{es, 30 * 24 * time.Hour, "04/02/2026"},
	} {
		if got := Relative(c.ctx, now.Add(-c.ago), now); got != c.want {
			t.Errorf("Relative(-%s) = %q, want %q", c.ago, got, c.want)
		}
	}
}

func TestCountries(t *testing.T) {
	es, en := ctxIn(i18n.ES), ctxIn(i18n.EN)
	if got := CountryName(es, "GT"); got != "Guatemala" {
		t.Errorf("GT = %q", got)
	}
	if got := CountryName(es, "US"); got != "Estados Unidos" {
		t.Errorf("US in Spanish = %q", got)
	}
	if got := CountryName(en, "DE"); got != "Germany" {
		t.Errorf("DE in English = %q", got)
	}
	names := func(cs []Country) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Name)
		}
		return out
	}
	// Alemania sorts first in Spanish, Germany after El Salvador in English.
	got := names(Countries(es, []string{"SV", "DE", "GT"}))
	if got[0] != "Alemania" || got[1] != "El Salvador" || got[2] != "Guatemala" {
		t.Errorf("Spanish order = %v", got)
	}
	got = names(Countries(en, []string{"SV", "DE", "GT"}))
	if got[0] != "El Salvador" || got[1] != "Germany" || got[2] != "Guatemala" {
		t.Errorf("English order = %v", got)
	}
	// Collation, not bytes: Perú (accented) sorts before Portugal.
	got = names(Countries(es, []string{"PT", "PE"}))
	if got[0] != "Perú" {
		t.Errorf("Spanish order with accents = %v", got)
	}
}

func TestEnumsAndFields(t *testing.T) {
	es, en := ctxIn(i18n.ES), ctxIn(i18n.EN)
	for _, c := range []struct{ got, want string }{
		{Enum(es, "marital_status", "casado"), "casado(a)"},
		{Enum(en, "marital_status", "casado"), "married"},
		{Enum(es, "document_type", "PASSPORT"), "pasaporte"},
		{Enum(en, "request_type", "clientType"), "client type"},
		{Enum(es, "gender", "OTHER"), "otro"},
		{Enum(es, "request_type", "SOMETHING_NEW"), "SOMETHING_NEW"},
		{Field(i18n.ES, "dateOfBirth"), "fecha de nacimiento"},
		{Field(i18n.EN, "dateOfBirth"), "date of birth"},
		{Field(i18n.ES, "unknownKey"), "unknownKey"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
