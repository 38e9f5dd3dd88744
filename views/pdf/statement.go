package pdf

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jung-kurt/gofpdf"
	"github.com/shopspring/decimal"

	"cardconsole/store/money"
)

// StatementHeader is what the top of a card statement says: whose card, which period, and who
// produced the document when.
type StatementHeader struct {
	Partner     string
	Cardholder  string // full name
	Card        string // the masked card number
	Currency    string
	From, To    string         // the period's first and last day, YYYY-MM-DD, both included
	Location    *time.Location // the partner's time zone: the period's days and the rows' times are in it
	GeneratedAt time.Time
	GeneratedBy string
	// Selection says which of the period's rows the table lists and in what order, when it is not
	// all of them by date; empty otherwise.
	Selection string
	// Partial is set when the table lists only some of the period's rows (one page of them), so its
	// totals are not the summary's.
	Partial bool
	// Labels are the words printed, in the operator's language; nil prints English.
	Labels *Labels
}

// StatementSummary is the period's account: Opening + Credits − Debits = Closing, exactly.
type StatementSummary struct {
	Opening, Credits, Debits, Closing decimal.Decimal
	CreditCount, DebitCount           int
}

// Count is the number of movements in the period.
func (s StatementSummary) Count() int { return s.CreditCount + s.DebitCount }

// balances reports whether the summary adds up to the last decimal.
func (s StatementSummary) balances() bool {
	return s.Opening.Add(s.Credits).Sub(s.Debits).Equal(s.Closing)
}

// StatementRow is one line of the table. Exactly one of Debit and Credit is positive; Balance is
// the card's balance after the movement.
type StatementRow struct {
	At          time.Time
	Type        string
	Reference   string
	Description string
	Debit       decimal.Decimal
	Credit      decimal.Decimal
	Balance     decimal.Decimal
}

// ErrSummaryMismatch means the figures handed to the statement contradict each other: the summary
// does not add up, or the complete table's totals differ from it. Such a statement is never written.
var ErrSummaryMismatch = errors.New("pdf: the statement's figures do not add up")

// Page geometry in millimetres (A4 landscape).
const (
	margin       = 10.0
	footerSpace  = 12.0 // kept free at the bottom for the footer
	lineHeight   = 4.0  // one line of table text
	cellPadding  = 1.2  // above and below a row's text
	tableFont    = 8.0
	headingColor = 235
)

// column is a table column: its width and alignment (its title is in Labels.Columns).
type column struct {
	width float64
	align string
}

// columns fill the 277 mm between the margins: date and time, type, reference, description, debit,
// credit, balance.
var columns = []column{
	{35, "L"},
	{24, "L"},
	{38, "L"},
	{90, "L"},
	{30, "R"},
	{30, "R"},
	{30, "R"},
}

// Statement is a card statement being written: create it with NewStatement, Add the rows in the
// order they are to be printed, then WriteTo the response. Rows are laid out as they arrive; none
// is kept after Add returns.
type Statement struct {
	f            *gofpdf.Fpdf
	h            StatementHeader
	sum          StatementSummary
	tableStarted bool
	rows         int
	debits       decimal.Decimal
	credits      decimal.Decimal
	shade        bool
}

// NewStatement starts a statement with its header and summary on the first page. A summary that does
// not add up is refused.
func NewStatement(h StatementHeader, sum StatementSummary) (*Statement, error) {
	if !sum.balances() {
		return nil, fmt.Errorf("%w: %s + %s - %s != %s", ErrSummaryMismatch, sum.Opening, sum.Credits, sum.Debits, sum.Closing)
	}
	if h.Location == nil {
		h.Location = time.UTC
	}
	s := &Statement{f: newDocument(), h: h, sum: sum}
	f := s.f
	f.SetTitle(fmt.Sprintf("Statement of card %s, %s to %s", h.Card, h.From, h.To), true)
	f.SetAuthor(h.Partner, true)
	f.SetSubject(h.Cardholder, true)
	f.SetCreationDate(h.GeneratedAt)
	f.SetModificationDate(h.GeneratedAt)
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(false, footerSpace)
	f.SetCellMargin(1)
	f.SetHeaderFunc(s.pageHeader)
	f.SetFooterFunc(s.pageFooter)
	f.AddPage()
	return s, f.Error()
}

// Add lays out one row, starting a new page (with the table's heading) when it does not fit.
func (s *Statement) Add(r StatementRow) error {
	f := s.f
	if !s.tableStarted {
		s.tableStarted = true
		s.tableHeading()
	}
	f.SetFont(fontFamily, "", tableFont)
	cells := []string{
		r.At.In(s.h.Location).Format("2006-01-02 15:04:05"),
		clean(r.Type),
		clean(r.Reference),
		clean(r.Description),
		amountOrBlank(r.Debit),
		amountOrBlank(r.Credit),
		money.Format(r.Balance),
	}
	lines := make([][]string, len(cells))
	most := 1
	for i, text := range cells {
		lines[i] = f.SplitText(text, columns[i].width)
		most = max(most, len(lines[i]))
	}
	// A row never spans pages: one taller than a whole page is cut to what fits, and says so.
	_, pageHeight := f.GetPageSize()
	if fit := int((pageHeight - s.tableTop() - footerSpace - 2*cellPadding) / lineHeight); most > fit {
		most = fit
		for i := range lines {
			if len(lines[i]) > fit {
				lines[i] = append(lines[i][:fit-1], "[…]")
			}
		}
	}
	rowHeight := float64(most)*lineHeight + 2*cellPadding
	if f.GetY()+rowHeight > pageHeight-footerSpace {
		f.AddPage()
		f.SetFont(fontFamily, "", tableFont)
	}
	s.drawRow(lines, rowHeight)
	s.rows++
	s.debits = s.debits.Add(r.Debit)
	s.credits = s.credits.Add(r.Credit)
	return f.Error()
}

// drawRow prints a row's wrapped cells at the current position and moves below it.
func (s *Statement) drawRow(lines [][]string, rowHeight float64) {
	f := s.f
	x, y := margin, f.GetY()
	if s.shade {
		f.SetFillColor(247, 247, 250)
		f.Rect(x, y, tableWidth(), rowHeight, "F")
	}
	s.shade = !s.shade
	for i, col := range columns {
		for j, line := range lines[i] {
			f.SetXY(x, y+cellPadding+float64(j)*lineHeight)
			f.CellFormat(col.width, lineHeight, line, "", 0, col.align, false, 0, "")
		}
		x += col.width
	}
	f.SetDrawColor(220, 220, 225)
	f.Line(margin, y+rowHeight, margin+tableWidth(), y+rowHeight)
	f.SetXY(margin, y+rowHeight)
}

// WriteTo finishes the document and writes it to w. When the table lists the whole period, its
// totals must equal the summary's, or nothing is written.
func (s *Statement) WriteTo(w io.Writer) (int64, error) {
	if err := s.finish(); err != nil {
		return 0, err
	}
	cw := &countingWriter{w: w}
	err := s.f.Output(cw)
	return cw.n, err
}

// Rows is the number of rows added so far.
func (s *Statement) Rows() int { return s.rows }

func (s *Statement) finish() error {
	f := s.f
	if !s.h.Partial && (s.rows != s.sum.Count() || !s.debits.Equal(s.sum.Debits) || !s.credits.Equal(s.sum.Credits)) {
		return fmt.Errorf("%w: the table has %d rows (debits %s, credits %s), the summary %d (debits %s, credits %s)",
			ErrSummaryMismatch, s.rows, s.debits, s.credits, s.sum.Count(), s.sum.Debits, s.sum.Credits)
	}
	_, pageHeight := f.GetPageSize()
	if s.rows == 0 {
		f.SetFont(fontFamily, "B", 10)
		f.SetXY(margin, f.GetY()+4)
		msg := s.labels().NoMovements
		if s.sum.Count() > 0 {
			msg = s.labels().NoneSelected
		}
		f.CellFormat(tableWidth(), 8, msg, "", 1, "L", false, 0, "")
		return f.Error()
	}
	if f.GetY()+lineHeight+2*cellPadding > pageHeight-footerSpace {
		f.AddPage()
	}
	f.SetFont(fontFamily, "B", tableFont)
	y := f.GetY()
	label := columns[0].width + columns[1].width + columns[2].width + columns[3].width
	f.SetXY(margin, y+cellPadding)
	f.CellFormat(label, lineHeight, fmt.Sprintf(s.labels().TotalsFmt, s.rows), "", 0, "L", false, 0, "")
	f.CellFormat(columns[4].width, lineHeight, money.Format(s.debits), "", 0, "R", false, 0, "")
	f.CellFormat(columns[5].width, lineHeight, money.Format(s.credits), "", 0, "R", false, 0, "")
	f.SetDrawColor(120, 120, 130)
	f.Line(margin, y, margin+tableWidth(), y)
	return f.Error()
}

// pageHeader runs at the top of every page: the full header and the summary on the first, a
// reminder line on the others, and the table's heading once the table has started.
func (s *Statement) pageHeader() {
	if s.f.PageNo() == 1 {
		s.firstPageHeader()
		return
	}
	f := s.f
	f.SetFont(fontFamily, "B", 9)
	f.CellFormat(0, 5, fmt.Sprintf(s.labels().ContinuationFmt,
		clean(s.h.Partner), clean(s.h.Cardholder), s.h.Card, s.h.From, s.h.To, s.h.Currency), "", 1, "L", false, 0, "")
	f.Ln(2)
	if s.tableStarted {
		s.tableHeading()
	}
}

func (s *Statement) firstPageHeader() {
	f := s.f
	h := s.h
	l := s.labels()
	f.SetFont(fontFamily, "B", 16)
	f.CellFormat(0, 9, l.Title, "", 1, "L", false, 0, "")
	top := f.GetY() + 2
	info := [][2]string{
		{l.Partner, h.Partner},
		{l.Cardholder, h.Cardholder},
		{l.Card, h.Card},
		{l.Currency, h.Currency},
		{l.Period, fmt.Sprintf(l.PeriodFmt, h.From, h.To, h.Location)},
		{l.Generated, fmt.Sprintf(l.GeneratedFmt, h.GeneratedAt.In(h.Location).Format(l.TimeLayout), h.GeneratedBy)},
	}
	f.SetY(top)
	for _, kv := range info {
		f.SetFont(fontFamily, "B", 9)
		f.CellFormat(26, 5.5, kv[0], "", 0, "L", false, 0, "")
		f.SetFont(fontFamily, "", 9)
		f.CellFormat(130, 5.5, clean(kv[1]), "", 1, "L", false, 0, "")
	}
	bottom := f.GetY()

	// The summary box, right of the details.
	sum := s.sum
	boxX, boxW := 297-margin-105, 105.0
	lines := [][2]string{
		{l.Opening, money.Format(sum.Opening)},
		{fmt.Sprintf(l.TotalCreditsFmt, sum.CreditCount), money.Format(sum.Credits)},
		{fmt.Sprintf(l.TotalDebitsFmt, sum.DebitCount), money.Format(sum.Debits)},
		{l.Closing, money.Format(sum.Closing)},
	}
	f.SetFillColor(headingColor, headingColor, 242)
	f.Rect(boxX, top, boxW, float64(len(lines))*6+8, "F")
	f.SetXY(boxX, top+1)
	for i, kv := range lines {
		style := ""
		if i == 0 || i == len(lines)-1 {
			style = "B"
		}
		f.SetX(boxX)
		f.SetFont(fontFamily, style, 9.5)
		f.CellFormat(60, 6, kv[0], "", 0, "L", false, 0, "")
		f.CellFormat(boxW-60, 6, kv[1]+" "+h.Currency, "", 1, "R", false, 0, "")
	}
	f.SetX(boxX)
	f.SetFont(fontFamily, "", 7)
	f.CellFormat(boxW, 5, l.Equation, "", 1, "L", false, 0, "")
	f.SetY(max(bottom, f.GetY()) + 3)
	if h.Selection != "" {
		f.SetFont(fontFamily, "", 8.5)
		f.MultiCell(0, 4.5, clean(h.Selection), "", "L", false)
		f.Ln(1)
	}
	f.Ln(2)
}

// tableHeading prints the column titles.
func (s *Statement) tableHeading() {
	f := s.f
	f.SetFont(fontFamily, "B", tableFont)
	f.SetFillColor(headingColor, headingColor, 242)
	f.SetX(margin)
	for i, col := range columns {
		f.CellFormat(col.width, 6, s.labels().Columns[i], "", 0, col.align, true, 0, "")
	}
	f.Ln(6)
}

// tableTop is where rows start on a continuation page: below the reminder line and the heading.
func (s *Statement) tableTop() float64 { return margin + 5 + 2 + 6 }

func (s *Statement) pageFooter() {
	f := s.f
	_, pageHeight := f.GetPageSize()
	f.SetY(pageHeight - footerSpace + 3)
	f.SetFont(fontFamily, "", 7.5)
	f.SetTextColor(100, 100, 110)
	f.CellFormat(tableWidth()/2, 5, fmt.Sprintf(s.labels().FooterFmt, clean(s.h.Partner), s.h.Card,
		s.h.GeneratedAt.In(s.h.Location).Format(s.labels().FooterTimeLayout), clean(s.h.GeneratedBy)), "", 0, "L", false, 0, "")
	// The page number and the total share one cell and one font: the total's digits are then
	// always among the glyphs embedded, as the last page prints them as its own number.
	f.CellFormat(tableWidth()/2, 5, fmt.Sprintf(s.labels().PageFmt, f.PageNo(), "{nb}"), "", 0, "R", false, 0, "")
	f.SetTextColor(0, 0, 0)
}

func tableWidth() float64 {
	w := 0.0
	for _, c := range columns {
		w += c.width
	}
	return w
}

func amountOrBlank(d decimal.Decimal) string {
	if d.IsZero() {
		return ""
	}
	return money.Format(d)
}

// countingWriter counts what reaches w, for WriteTo's result.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
