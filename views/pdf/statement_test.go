package pdf_test

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"cardconsole/views/pdf"
	"cardconsole/views/pdf/pdftest"
	"cardconsole/web/format"
)

var guatemala = mustLocation("America/Guatemala")

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func header() pdf.StatementHeader {
	return pdf.StatementHeader{Partner: "Café Quetzal, S.A.", Cardholder: "María José Ñúñez Łukasz", Card: "459876******1234",
		Currency: "GTQ", From: "2026-03-01", To: "2026-03-31", Location: guatemala,
		GeneratedAt: time.Date(2026, 4, 2, 10, 15, 0, 0, guatemala), GeneratedBy: "admin@demo.test"}
}

// ledger makes n rows from an opening balance of 100: every third a debit, the others credits,
// with the summary they add up to.
func ledger(n int) ([]pdf.StatementRow, pdf.StatementSummary) {
	bal := decimal.RequireFromString("100")
	sum := pdf.StatementSummary{Opening: bal}
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, guatemala)
	rows := make([]pdf.StatementRow, n)
	for i := range rows {
		amt := decimal.RequireFromString(fmt.Sprintf("%d.0125", i+1))
		r := pdf.StatementRow{At: at.Add(time.Duration(i) * 7 * time.Minute), Type: "Load", Reference: fmt.Sprintf("REF-%05d", i),
			Description: fmt.Sprintf("Nota %d de Ñandú", i)}
		if i%3 == 0 {
			r.Type, r.Debit = "Unload", amt
			bal = bal.Sub(amt)
			sum.Debits, sum.DebitCount = sum.Debits.Add(amt), sum.DebitCount+1
		} else {
			r.Credit = amt
			bal = bal.Add(amt)
			sum.Credits, sum.CreditCount = sum.Credits.Add(amt), sum.CreditCount+1
		}
		r.Balance = bal
		rows[i] = r
	}
	sum.Closing = bal
	return rows, sum
}

func render(t *testing.T, h pdf.StatementHeader, sum pdf.StatementSummary, rows []pdf.StatementRow) []byte {
	t.Helper()
	s, err := pdf.NewStatement(h, sum)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := s.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	n, err := s.WriteTo(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(buf.Len()) || !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatalf("WriteTo reported %d bytes for %d, starting %q", n, buf.Len(), buf.Bytes()[:min(8, buf.Len())])
	}
	return buf.Bytes()
}

// summaryFigure reads a figure of the summary box from the extracted text.
func summaryFigure(t *testing.T, text, label string) decimal.Decimal {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(label) + `(?: \(\d+\))?\s+Q ([0-9,]+\.[0-9]{2,4})`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no %q in the summary:\n%s", label, text)
	}
	return plain(m[1])
}

func TestStatementPrintsEveryRowAcrossNumberedPages(t *testing.T) {
	rows, sum := ledger(150)
	doc := render(t, header(), sum, rows)
	n := pdftest.Check(t, doc)
	pages := pdftest.Pages(t, doc)
	if n < 3 || len(pages) != n {
		t.Fatalf("%d pages (%d extracted), want several", n, len(pages))
	}
	all := strings.Join(pages, "\n")
	for _, want := range []string{"Café Quetzal, S.A.", "María José Ñúñez Łukasz", "459876******1234", "2026-03-01 to 2026-03-31",
		"America/Guatemala", "admin@demo.test", "2026-04-02 10:15:00 CST", "Nota 7 de Ñandú"} {
		if !strings.Contains(all, want) {
			t.Errorf("the statement lacks %q", want)
		}
	}
	for i, p := range pages {
		if !strings.Contains(p, fmt.Sprintf("Page %d of %d", i+1, n)) {
			t.Errorf("page %d lacks its number:\n%s", i+1, p)
		}
		if !regexp.MustCompile(`Date and time\s+Type\s+Reference\s+Description / observations\s+Debit\s+Credit\s+Balance`).MatchString(p) {
			t.Errorf("page %d lacks the table heading", i+1)
		}
	}
	// Every movement once, in order, with its running balance on its line.
	last := -1
	for i, r := range rows {
		re := regexp.MustCompile(`(?m)^.*` + r.Reference + `.*$`)
		found := re.FindAllString(all, -1)
		if len(found) != 1 {
			t.Fatalf("%s appears %d times", r.Reference, len(found))
		}
		if !strings.Contains(found[0], format.Money(r.Balance, "GTQ")) {
			t.Errorf("row %d %q lacks its balance %s", i, found[0], r.Balance)
		}
		at := strings.Index(all, r.Reference)
		if at < last {
			t.Fatalf("%s is out of order", r.Reference)
		}
		last = at
	}
	// The summary on the first page adds up, and the totals line agrees with it.
	first := pages[0]
	open, cred, deb, closing := summaryFigure(t, first, "Opening balance"), summaryFigure(t, first, "Total credits"),
		summaryFigure(t, first, "Total debits"), summaryFigure(t, first, "Closing balance")
	if !open.Add(cred).Sub(deb).Equal(closing) || !closing.Equal(sum.Closing) || !cred.Equal(sum.Credits) {
		t.Fatalf("summary %s + %s - %s = %s, want closing %s", open, cred, deb, closing, sum.Closing)
	}
	if !strings.Contains(first, "Total credits (100)") || !strings.Contains(first, "Total debits (50)") {
		t.Errorf("summary counts missing:\n%s", first)
	}
	lastPage := pages[len(pages)-1]
	totals := regexp.MustCompile(`Totals of the 150 movements listed\s+Q ([0-9,.]+)\s+Q ([0-9,.]+)`).FindStringSubmatch(lastPage)
	if totals == nil || !plain(totals[1]).Equal(deb) || !plain(totals[2]).Equal(cred) {
		t.Fatalf("totals line %v, want debits %s credits %s", totals, deb, cred)
	}
	// The last page ends with the closing balance too.
	if got := summaryFigure(t, lastPage, "Closing balance"); !got.Equal(sum.Closing) || strings.Contains(pages[len(pages)-2], "Closing balance") {
		t.Fatalf("the last page's closing balance is %s, want %s (and only on the last page after the first)", got, sum.Closing)
	}
}

// plain reads an amount written with thousands separators.
func plain(s string) decimal.Decimal {
	return decimal.RequireFromString(strings.ReplaceAll(s, ",", ""))
}

func TestStatementWrapsLongTextInsideItsColumn(t *testing.T) {
	rows, sum := ledger(2)
	long := strings.Repeat("observación larguísima ", 40) + "FIN"
	rows[1].Description = long
	rows[1].Reference = "REFERENCIA-MUY-LARGA-SIN-ESPACIOS-0123456789-ABCDEFGHIJ"
	doc := render(t, header(), sum, rows)
	pdftest.Check(t, doc)
	text := pdftest.Text(t, doc)
	lines := strings.Split(text, "\n")
	var descLines []string
	for _, l := range lines {
		if strings.Contains(l, "observación") || strings.Contains(l, "FIN") {
			descLines = append(descLines, l)
		}
	}
	if len(descLines) < 5 {
		t.Fatalf("the description did not wrap: %q", descLines)
	}
	// The row's amounts stay in their columns, on the row's first line.
	if !strings.Contains(descLines[0], format.Money(rows[1].Credit, "GTQ")) || !strings.Contains(descLines[0], format.Money(rows[1].Balance, "GTQ")) {
		t.Errorf("first line of the wrapped row %q lacks its credit or balance", descLines[0])
	}
	words := strings.Fields(strings.Join(descLines, " "))
	count := 0
	for _, w := range words {
		if w == "larguísima" {
			count++
		}
	}
	if count != 40 || !strings.Contains(text, "FIN") {
		t.Errorf("wrapping lost words: %d of 40", count)
	}
}

func TestEmptyPeriodIsOnePageThatSaysSo(t *testing.T) {
	bal := decimal.RequireFromString("42.5")
	doc := render(t, header(), pdf.StatementSummary{Opening: bal, Closing: bal}, nil)
	if n := pdftest.Check(t, doc); n != 1 {
		t.Fatalf("%d pages", n)
	}
	text := pdftest.Text(t, doc)
	for _, want := range []string{"There are no movements in this period.", "Page 1 of 1", "María José Ñúñez Łukasz"} {
		if !strings.Contains(text, want) {
			t.Errorf("empty statement lacks %q:\n%s", want, text)
		}
	}
	if o, c := summaryFigure(t, text, "Opening balance"), summaryFigure(t, text, "Closing balance"); !o.Equal(bal) || !c.Equal(bal) {
		t.Errorf("opening %s closing %s", o, c)
	}
	if strings.Contains(text, "Date and time") {
		t.Error("an empty statement prints a table heading")
	}
}

func TestTextOutsideTheFontPrintsSafely(t *testing.T) {
	rows, sum := ledger(1)
	rows[0].Description = "emoji 😀 tab\there\r\nnext line 日本 \u0007 end"
	doc := render(t, header(), sum, rows)
	pdftest.Check(t, doc)
	text := pdftest.Text(t, doc)
	if !strings.Contains(text, "emoji ? tab here") || !strings.Contains(text, "next line") {
		t.Fatalf("cleaned text missing:\n%s", text)
	}
}

func TestStatementRefusesFiguresThatDoNotAddUp(t *testing.T) {
	rows, sum := ledger(4)
	bad := sum
	bad.Closing = bad.Closing.Add(decimal.RequireFromString("0.0001"))
	if _, err := pdf.NewStatement(header(), bad); !errors.Is(err, pdf.ErrSummaryMismatch) {
		t.Fatalf("a summary off by 0.0001 was accepted: %v", err)
	}
	s, err := pdf.NewStatement(header(), sum)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows[:3] {
		if err := s.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := s.WriteTo(&buf); !errors.Is(err, pdf.ErrSummaryMismatch) || buf.Len() != 0 {
		t.Fatalf("a table missing a row was written (%d bytes, %v)", buf.Len(), err)
	}
	// A selection (one page of the period) may list fewer rows than the summary counts.
	h := header()
	h.Selection, h.Partial = "Movements 1–3 of 4 (page 1, 3 per page).", true
	doc := render(t, h, sum, rows[:3])
	if text := pdftest.Text(t, doc); !strings.Contains(text, "Movements 1–3 of 4") || !strings.Contains(text, "Totals of the 3 movements listed") {
		t.Fatalf("selection statement:\n%s", text)
	}
}

func TestNoteIsAOnePagePDF(t *testing.T) {
	doc, err := pdf.Note("Deposit receipt (demo)", "Beneficiary: Café Quetzal", "Amount: 250000.00")
	if err != nil {
		t.Fatal(err)
	}
	if n := pdftest.Check(t, doc); n != 1 {
		t.Fatalf("%d pages", n)
	}
	if text := pdftest.Text(t, doc); !strings.Contains(text, "Deposit receipt (demo)") || !strings.Contains(text, "Beneficiary: Café Quetzal") {
		t.Fatalf("note text:\n%s", text)
	}
}

// Text Windows-1252 encodes is set in Helvetica, anything else in the embedded DejaVu Sans, cell by
// cell: both read back as they were written, wrapped or not.
func TestAnyTextOfTheBMPReadsBackInEitherFont(t *testing.T) {
	rows, sum := ledger(3)
	rows[0].Description = "¿Añadió 5 € al saldo? Sí — «pago» … ü"
	rows[1].Description = "Łódź, Ελλάδα, Москва: transferencia"
	rows[2].Description = strings.Repeat("Zürich Łódź ", 12) + "FIN"
	rows[2].Reference = "ŁÓDŹ-0001"
	doc := render(t, header(), sum, rows)
	pdftest.Check(t, doc)
	text := pdftest.Text(t, doc)
	for _, want := range []string{rows[0].Description, rows[1].Description, "ŁÓDŹ-0001", "Opening balance + total credits − total debits"} {
		if !strings.Contains(text, want) {
			t.Errorf("the statement lacks %q:\n%s", want, text)
		}
	}
	if n := strings.Count(text, "Zürich Łódź"); n != 12 {
		t.Errorf("the wrapped description reads back %d of 12 times:\n%s", n, text)
	}
}
