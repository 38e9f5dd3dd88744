package pdf

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"cardconsole/web/format"
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
// order they are to be printed, then WriteTo the response. Rows are laid out as they arrive and none
// is kept after Add returns; each finished page is compressed into the statement's spool at once,
// so what a statement holds is its compressed file (about 100 bytes a row), never its pages.
type Statement struct {
	d            *document
	out          spool
	h            StatementHeader
	sum          StatementSummary
	tableStarted bool
	rows         int
	debits       decimal.Decimal
	credits      decimal.Decimal
	shade        bool
	y            float64 // where the next line goes, in millimetres from the top
	countDigits  string  // as many zeros as the page count can have digits, to place the footer
	lines        [7][]string
	fonts        [7]*font
	written      bool
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
	s := &Statement{h: h, sum: sum}
	s.d = newPDF(newWriter(&s.out))
	// A row never spans pages, so there are at most as many pages as rows, plus the first and the
	// totals'.
	s.countDigits = strings.Repeat("0", len(strconv.Itoa(sum.Count()+2)))
	s.addPage()
	return s, s.d.w.err
}

// addPage ends the current page with its footer and starts the next with its header.
func (s *Statement) addPage() {
	if s.d.inPage {
		s.pageFooter()
	}
	s.d.addPage()
	s.y = margin
	s.pageHeader()
}

// Add lays out one row, starting a new page (with the table's heading) when it does not fit.
func (s *Statement) Add(r StatementRow) error {
	d := s.d
	if !s.tableStarted {
		s.tableStarted = true
		s.tableHeading()
	}
	cells := [7]string{
		r.At.In(s.h.Location).Format("2006-01-02 15:04:05"),
		clean(r.Type),
		clean(r.Reference),
		clean(r.Description),
		s.moneyOrBlank(r.Debit),
		s.moneyOrBlank(r.Credit),
		s.money(r.Balance),
	}
	most := 1
	for i, text := range cells {
		f, enc := d.fonts.pick(regular, text)
		s.fonts[i] = f
		s.lines[i] = f.split(s.lines[i][:0], enc, lineUnits(columns[i].width, tableFont))
		most = max(most, len(s.lines[i]))
	}
	// A row never spans pages: one taller than a whole page is cut to what fits, and says so.
	if fit := int((pageHeight - s.tableTop() - footerSpace - 2*cellPadding) / lineHeight); most > fit {
		most = fit
		for i := range s.lines {
			if len(s.lines[i]) > fit {
				s.lines[i] = append(s.lines[i][:fit-1], s.fonts[i].ellipsis())
			}
		}
	}
	rowHeight := float64(most)*lineHeight + 2*cellPadding
	if s.y+rowHeight > pageHeight-footerSpace {
		s.addPage()
	}
	s.drawRow(rowHeight)
	s.rows++
	s.debits = s.debits.Add(r.Debit)
	s.credits = s.credits.Add(r.Credit)
	return s.d.w.err
}

// drawRow prints the row's wrapped cells at the current position and moves below it.
func (s *Statement) drawRow(rowHeight float64) {
	d := s.d
	x, y := margin, s.y
	if s.shade {
		d.fillRect(x, y, tableWidth(), rowHeight, [3]uint8{247, 247, 250})
	}
	s.shade = !s.shade
	for i, col := range columns {
		for j, line := range s.lines[i] {
			d.cellIn(x, y+cellPadding+float64(j)*lineHeight, col.width, lineHeight, s.fonts[i], tableFont, line, col.align[0])
		}
		x += col.width
	}
	d.hline(margin, margin+tableWidth(), y+rowHeight, [3]uint8{220, 220, 225})
	s.y = y + rowHeight
}

// WriteTo finishes the document and writes it to w. When the table lists the whole period, its
// totals must equal the summary's, or nothing is written.
func (s *Statement) WriteTo(w io.Writer) (int64, error) {
	if !s.written {
		if err := s.finish(); err != nil {
			return 0, err
		}
		s.pageFooter()
		info := [][2]string{{"Title", fmt.Sprintf("Statement of card %s, %s to %s", s.h.Card, s.h.From, s.h.To)},
			{"Author", s.h.Partner}, {"Subject", s.h.Cardholder}, {"Creator", "cardconsole"}}
		if err := s.d.close(info, s.h.GeneratedAt); err != nil {
			return 0, err
		}
		s.written = true
	}
	return s.out.WriteTo(w)
}

// Rows is the number of rows added so far.
func (s *Statement) Rows() int { return s.rows }

func (s *Statement) finish() error {
	d := s.d
	if !s.h.Partial && (s.rows != s.sum.Count() || !s.debits.Equal(s.sum.Debits) || !s.credits.Equal(s.sum.Credits)) {
		return fmt.Errorf("%w: the table has %d rows (debits %s, credits %s), the summary %d (debits %s, credits %s)",
			ErrSummaryMismatch, s.rows, s.debits, s.credits, s.sum.Count(), s.sum.Debits, s.sum.Credits)
	}
	if s.rows == 0 {
		msg := s.labels().NoMovements
		if s.sum.Count() > 0 {
			msg = s.labels().NoneSelected
		}
		d.cell(margin, s.y+4, tableWidth(), 8, bold, 10, msg, 'L')
		return d.w.err
	}
	if s.y+lineHeight+2*cellPadding > pageHeight-footerSpace {
		s.addPage()
	}
	y := s.y
	label := columns[0].width + columns[1].width + columns[2].width + columns[3].width
	d.cell(margin, y+cellPadding, label, lineHeight, bold, tableFont, fmt.Sprintf(s.labels().TotalsFmt, s.rows), 'L')
	d.cell(margin+label, y+cellPadding, columns[4].width, lineHeight, bold, tableFont, s.money(s.debits), 'R')
	d.cell(margin+label+columns[4].width, y+cellPadding, columns[5].width, lineHeight, bold, tableFont, s.money(s.credits), 'R')
	d.hline(margin, margin+tableWidth(), y, [3]uint8{120, 120, 130})
	s.y = y + lineHeight + 2*cellPadding
	s.closingLine()
	return d.w.err
}

// closingLine ends the table with the period's closing balance, so the last page says what the
// card held at the end without turning back to the first.
func (s *Statement) closingLine() {
	if s.y+lineHeight+2*cellPadding > pageHeight-footerSpace {
		s.addPage()
	}
	label := tableWidth() - columns[6].width
	s.d.cell(margin, s.y+cellPadding, label, lineHeight, bold, tableFont, s.labels().Closing, 'R')
	s.d.cell(margin+label, s.y+cellPadding, columns[6].width, lineHeight, bold, tableFont, s.money(s.sum.Closing), 'R')
	s.y += lineHeight + 2*cellPadding
}

// pageHeader runs at the top of every page: the full header and the summary on the first, a
// reminder line on the others, and the table's heading once the table has started.
func (s *Statement) pageHeader() {
	if s.d.pageNo() == 1 {
		s.firstPageHeader()
		return
	}
	s.d.cell(margin, s.y, pageWidth-2*margin, 5, bold, 9, fmt.Sprintf(s.labels().ContinuationFmt,
		clean(s.h.Partner), clean(s.h.Cardholder), s.h.Card, s.h.From, s.h.To, s.h.Currency), 'L')
	s.y += 5 + 2
	if s.tableStarted {
		s.tableHeading()
	}
}

func (s *Statement) firstPageHeader() {
	d := s.d
	h := s.h
	l := s.labels()
	d.cell(margin, s.y, pageWidth-2*margin, 9, bold, 16, l.Title, 'L')
	top := s.y + 9 + 2
	info := [][2]string{
		{l.Partner, h.Partner},
		{l.Cardholder, h.Cardholder},
		{l.Card, h.Card},
		{l.Currency, h.Currency},
		{l.Period, fmt.Sprintf(l.PeriodFmt, h.From, h.To, h.Location)},
		{l.Generated, fmt.Sprintf(l.GeneratedFmt, h.GeneratedAt.In(h.Location).Format(l.TimeLayout), h.GeneratedBy)},
	}
	y := top
	for _, kv := range info {
		d.cell(margin, y, 26, 5.5, bold, 9, kv[0], 'L')
		d.cell(margin+26, y, 130, 5.5, regular, 9, clean(kv[1]), 'L')
		y += 5.5
	}
	bottom := y

	// The summary box, right of the details.
	sum := s.sum
	boxX, boxW := pageWidth-margin-105, 105.0
	lines := [][2]string{
		{l.Opening, s.money(sum.Opening)},
		{fmt.Sprintf(l.TotalCreditsFmt, sum.CreditCount), s.money(sum.Credits)},
		{fmt.Sprintf(l.TotalDebitsFmt, sum.DebitCount), s.money(sum.Debits)},
		{l.Closing, s.money(sum.Closing)},
	}
	d.fillRect(boxX, top, boxW, float64(len(lines))*6+8, [3]uint8{headingColor, headingColor, 242})
	y = top + 1
	for i, kv := range lines {
		st := regular
		if i == 0 || i == len(lines)-1 {
			st = bold
		}
		d.cell(boxX, y, 60, 6, st, 9.5, kv[0], 'L')
		d.cell(boxX+60, y, boxW-60, 6, st, 9.5, kv[1], 'R')
		y += 6
	}
	d.cell(boxX, y, boxW, 5, regular, 7, l.Equation, 'L')
	y += 5
	s.y = max(bottom, y) + 3
	if h.Selection != "" {
		f, enc := d.fonts.pick(regular, clean(h.Selection))
		for _, line := range f.split(nil, enc, lineUnits(pageWidth-2*margin, 8.5)) {
			d.cellIn(margin, s.y, pageWidth-2*margin, 4.5, f, 8.5, line, 'L')
			s.y += 4.5
		}
		s.y++
	}
	s.y += 2
}

// tableHeading prints the column titles.
func (s *Statement) tableHeading() {
	d := s.d
	d.fillRect(margin, s.y, tableWidth(), 6, [3]uint8{headingColor, headingColor, 242})
	x := margin
	for i, col := range columns {
		d.cell(x, s.y, col.width, 6, bold, tableFont, s.labels().Columns[i], col.align[0])
		x += col.width
	}
	s.y += 6
}

// tableTop is where rows start on a continuation page: below the reminder line and the heading.
func (s *Statement) tableTop() float64 { return margin + 5 + 2 + 6 }

// pageFooter ends every page. The total page count is only known at the end, so the footer prints
// "Page x of " and then the form that holds the count; the pair is placed as if the count had as
// many digits as the most pages the statement can have, so it never runs past the margin.
func (s *Statement) pageFooter() {
	d := s.d
	y := pageHeight - footerSpace + 3
	half := tableWidth() / 2
	d.setFill([3]uint8{100, 100, 110})
	d.cell(margin, y, half, 5, regular, 7.5, fmt.Sprintf(s.labels().FooterFmt, clean(s.h.Partner), s.h.Card,
		s.h.GeneratedAt.In(s.h.Location).Format(s.labels().FooterTimeLayout), clean(s.h.GeneratedBy)), 'L')
	label := fmt.Sprintf(s.labels().PageFmt, d.pageNo(), "")
	x := margin + tableWidth() - cellMargin - d.textWidth(regular, 7.5, label+s.countDigits)
	base := baseline(y, 5, 7.5)
	d.text(x, base, regular, 7.5, label)
	d.printPageCount(x+d.textWidth(regular, 7.5, label), base, 7.5)
	d.setFill([3]uint8{})
}

// lineUnits is how much text fits in a cell of width w (millimetres) at size, in thousandths of
// the size, as font.split measures.
func lineUnits(w, size float64) int { return int((w - 2*cellMargin) * pt * 1000 / size) }

func tableWidth() float64 {
	w := 0.0
	for _, c := range columns {
		w += c.width
	}
	return w
}

// money writes an amount as the console shows it: the currency's sign and thousands separators,
// Q 1,234.50.
func (s *Statement) money(d decimal.Decimal) string { return format.Money(d, s.h.Currency) }

// moneyOrBlank is money, or nothing for zero (the empty side of a row).
func (s *Statement) moneyOrBlank(d decimal.Decimal) string {
	if d.IsZero() {
		return ""
	}
	return s.money(d)
}
