package handlers_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

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
