package export

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

func writeFile(t *testing.T, format Format) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	w, err := New(rec, format, "cardholders 1/ñ", []string{"id", "name", "amount", "when"})
	if err != nil {
		t.Fatal(err)
	}
	if w.Started() {
		t.Fatal("the response started before any row")
	}
	loc := time.FixedZone("GT", -6*3600)
	at := time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)
	rows := [][]Cell{
		{Int(7), Text("=HYPERLINK(\"x\")"), Amount(decimal.RequireFromString("-5.5")), Time(at, loc)},
		{Int(8), Text("-2+3"), Amount(decimal.RequireFromString("1250")), OptTime(nil, loc)},
		{Int(9), Text("@sum\tx"), OptAmount(decimal.NullDecimal{}), Time(at, loc)},
		{OptInt(nil), Text("\tTab"), Amount(decimal.Zero), Time(at, loc)},
	}
	for _, r := range rows {
		if err := w.Row(r...); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if w.Rows() != len(rows) || !w.Started() {
		t.Fatalf("rows %d, started %v", w.Rows(), w.Started())
	}
	if cd := rec.Header().Get("Content-Disposition"); cd != `attachment; filename="cardholders-1.`+string(format)+`"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	if rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("status %d, headers %v", rec.Code, rec.Header())
	}
	return rec
}

// Text that a spreadsheet would take for a formula is neutralised; numbers, negative ones too, are
// not; times carry the zone's offset.
func TestCSVNeutralisesFormulasAndKeepsNumbers(t *testing.T) {
	rec := writeFile(t, CSV)
	want := "id,name,amount,when\n" +
		"7,\"'=HYPERLINK(\"\"x\"\")\",-5.50,2026-03-10T09:00:00-06:00\n" +
		"8,'-2+3,1250.00,\n" +
		"9,'@sum\tx,,2026-03-10T09:00:00-06:00\n" +
		",'\tTab,0.00,2026-03-10T09:00:00-06:00\n"
	if got := rec.Body.String(); got != want {
		t.Errorf("CSV\n%q\nwant\n%q", got, want)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8; header=present" {
		t.Errorf("Content-Type %q", ct)
	}
}

// In the workbook, ids and amounts are numbers and text is text, neutralised the same way.
func TestXLSXKeepsNumbersAsNumbers(t *testing.T) {
	rec := writeFile(t, XLSX)
	f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || rows[1][1] != `'=HYPERLINK("x")` || rows[2][1] != "'-2+3" || rows[1][2] != "-5.5" {
		t.Fatalf("rows %q", rows)
	}
	for cell, number := range map[string]bool{"A2": true, "C2": true, "C3": true, "B2": false, "D2": false, "A1": false} {
		typ, err := f.GetCellType("Sheet1", cell)
		if err != nil {
			t.Fatal(err)
		}
		if isNumber := typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset; isNumber != number {
			t.Errorf("cell %s has type %v", cell, typ)
		}
	}
}

// A download that ends before its first row sent nothing: the handler can still answer an error.
func TestNothingIsSentBeforeTheFirstFlush(t *testing.T) {
	for _, format := range []Format{CSV, XLSX} {
		rec := httptest.NewRecorder()
		w, err := New(rec, format, "x", []string{"id"})
		if err != nil {
			t.Fatal(err)
		}
		w.Discard()
		if w.Started() || rec.Body.Len() != 0 || rec.Header().Get("Content-Disposition") != "" {
			t.Errorf("%s: something was sent: %q %v", format, rec.Body.String(), rec.Header())
		}
	}
}
