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

	"cardconsole/store/storetest"
	"cardconsole/views"
	"cardconsole/views/pdf/pdftest"
)

// TestStatementInSpanish: the PDF's labels, its page numbers and the CSV's header row follow the
// language asked for.
func TestStatementInSpanish(t *testing.T) {
	t.Parallel()
	sc := newStatementCase(t)
	sc.march(t, 3)
	h := sc.op.Headers()
	h["Accept-Language"] = "es"
	res := sc.env.Do(http.MethodGet, sc.path("report?from=2026-03-01&to=2026-03-31"), h, nil).WantStatus(http.StatusOK)
	pdftest.Check(t, res.Body)
	text := pdftest.Text(t, res.Body)
	for _, want := range []string{"Estado de cuenta de tarjeta", "Tarjetahabiente", "Período", "Saldo inicial",
		"Total de créditos (3)", "Saldo final", "Fecha y hora", "Descripción / observaciones", "Página 1 de 1"} {
		if !strings.Contains(text, want) {
			t.Errorf("the Spanish statement lacks %q:\n%s", want, text)
		}
	}
	for _, english := range []string{"Card statement", "Opening balance", "Closing balance", "Page 1 of 1"} {
		if strings.Contains(text, english) {
			t.Errorf("the Spanish statement says %q", english)
		}
	}
	res = sc.env.Do(http.MethodGet, sc.path("export.csv?from=2026-03-01&to=2026-03-31"), h, nil).WantStatus(http.StatusOK)
	records, err := csv.NewReader(bytes.NewReader(res.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(records[0], ","); got != "id,fecha y hora,tipo,sentido,referencia,descripción,tarjeta contraparte,débito,crédito,saldo después,moneda,revertido por" {
		t.Fatalf("Spanish CSV header: %s", got)
	}
}

// TestSpanishStatementOverSeveralPages: a Spanish statement long enough for several pages writes
// money as the console does (Q 1,234.50), numbers every page "Página x de y" and ends on its last
// page with the closing balance, which is the card's balance at the end of the period.
func TestSpanishStatementOverSeveralPages(t *testing.T) {
	sc := newStatementCase(t)
	sc.march(t, 130)
	storetest.CardMovementAt(t, sc.env.Store, sc.card, "1234.5", time.Date(2026, 3, 31, 12, 0, 0, 0, guatemala), "MAR-BIG", "Depósito grande")
	sc.april(t)
	h := sc.op.Headers()
	h["Accept-Language"] = "es"
	res := sc.env.Do(http.MethodGet, sc.path("report?from=2026-03-01&to=2026-03-31"), h, nil).WantStatus(http.StatusOK)
	n := pdftest.Check(t, res.Body)
	pages := pdftest.Pages(t, res.Body)
	if n < 3 || len(pages) != n {
		t.Fatalf("%d pages, %d extracted: want several", n, len(pages))
	}
	for i, p := range pages {
		if !strings.Contains(p, fmt.Sprintf("Página %d de %d", i+1, n)) {
			t.Errorf("page %d lacks \"Página %d de %d\":\n%s", i+1, i+1, n, p)
		}
		if !strings.Contains(p, "Descripción / observaciones") || !strings.Contains(p, "Crédito") {
			t.Errorf("page %d lacks the Spanish table heading:\n%s", i+1, p)
		}
	}
	first, last := pages[0], pages[n-1]
	for _, want := range []string{"Estado de cuenta de tarjeta", "Tarjetahabiente", "Período", "Saldo inicial", "Saldo final",
		"Saldo inicial   Q 500.00"} {
		if !strings.Contains(strings.Join(strings.Fields(first), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("the first page lacks %q:\n%s", want, first)
		}
	}
	big := regexp.MustCompile(`(?m)^.*MAR-BIG.*$`).FindString(strings.Join(pages, "\n"))
	if !strings.Contains(big, "Q 1,234.50") {
		t.Errorf("the big deposit's row %q does not read Q 1,234.50", big)
	}
	if plain := regexp.MustCompile(`[0-9]+\.[0-9]{2,4} GTQ|\b1234\.50`).FindString(strings.Join(pages, "\n")); plain != "" {
		t.Errorf("the statement writes an amount as %q", plain)
	}
	closing := sc.balanceAt(t, time.Date(2026, 4, 1, 0, 0, 0, 0, guatemala))
	m := regexp.MustCompile(`Saldo final\s+Q ([0-9,]+\.[0-9]{2,4})`).FindStringSubmatch(last)
	if m == nil {
		t.Fatalf("the last page has no closing balance:\n%s", last)
	}
	if got := decimal.RequireFromString(strings.ReplaceAll(m[1], ",", "")); !got.Equal(closing) {
		t.Fatalf("the last page's closing balance is %s, the card held %s", got, closing)
	}
	if closing.LessThan(decimal.NewFromInt(1000)) || !strings.Contains(last, views.Money(closing, "GTQ")) {
		t.Fatalf("the closing balance %s is not written as %q on the last page", closing, views.Money(closing, "GTQ"))
	}
}
