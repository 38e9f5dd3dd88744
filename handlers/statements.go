package handlers

import (
	"context"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // partners' time zones, whatever the host has installed

	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/store/money"
	"cardconsole/views/pdf"
	"cardconsole/web"
	"cardconsole/web/format"
	"cardconsole/web/i18n"
)

// statementSubject reads the card of the route, which must be the cardholder's.
func (h *Handlers) statementSubject(c echo.Context) (store.StatementSubject, error) {
	holderID, err := pathID(c, "cardholderId", errCardNotFound)
	if err != nil {
		return store.StatementSubject{}, err
	}
	cardID, err := pathID(c, "cardId", errCardNotFound)
	if err != nil {
		return store.StatementSubject{}, err
	}
	return h.store.StatementSubjectOf(c.Request().Context(), web.PartnerID(c), holderID, cardID)
}

// statementFilter reads the period, sort and paging of the query, as the movements list reads them.
// Without page or limit a statement lists the whole period; with either, that page of it.
func statementFilter(c echo.Context, subject store.StatementSubject) store.StatementFilter {
	return store.StatementFilter{MovementFilter: store.MovementFilter{PartnerID: subject.Card.PartnerID,
		CardID: subject.Card.ID, From: strings.TrimSpace(c.QueryParam("from")), To: strings.TrimSpace(c.QueryParam("to")),
		SortBy: c.QueryParam("sortBy"), SortOrder: c.QueryParam("sortOrder"), Page: pageQuery(c)},
		Paged: c.QueryParam("page") != "" || c.QueryParam("limit") != ""}
}

// statementRequest reads the card and the filter of a download. Both are checked before anything is
// written, so a bad request gets the error envelope, never half a file.
func (h *Handlers) statementRequest(c echo.Context) (store.StatementSubject, store.StatementFilter, error) {
	subject, err := h.statementSubject(c)
	if err != nil {
		return subject, store.StatementFilter{}, err
	}
	f := statementFilter(c, subject)
	return subject, f, f.Validate()
}

// statementFilename names a download after the card and the period.
func statementFilename(subject store.StatementSubject, f store.StatementFilter, ext string) string {
	return "movements-" + subject.Card.Last4 + "-" + f.From + "-" + f.To + "." + ext
}

// auditStatement records a download: a statement is a read of personal data.
func (h *Handlers) auditStatement(c echo.Context, subject store.StatementSubject, f store.StatementFilter, format string, rows int) error {
	after := map[string]any{"format": format, "from": f.From, "to": f.To, "sortBy": f.SortBy, "sortOrder": f.SortOrder, "rows": rows}
	if f.Paged {
		after["page"], after["limit"] = f.Page.Number, f.Page.Limit
	}
	return h.store.Audit(c.Request().Context(), web.Actor(c), store.Event{PartnerID: subject.Card.PartnerID,
		Action: "card.statement_download", ObjectType: "card", ObjectID: subject.Card.ID, After: after})
}

// partnerLocation is the partner's time zone; an unknown name falls back to UTC rather than failing
// a download.
func partnerLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

// largeStatementRows is where a PDF statement counts as large. A statement holds its compressed
// file while it is built (about 80 bytes per row) and costs about a second of CPU for a year of a
// busy card (docs/performance-reports.md), so each instance builds at most cap(largeStatements)
// large statements at once and keeps its cores for the console; the others wait their turn (or until
// their client gives up). Smaller ones never wait.
const largeStatementRows = 10_000

var largeStatements = make(chan struct{}, 2)

// StatementPDF streams a card's statement for a period as a PDF attachment (spec: movements/report).
// The document is complete, audited and checked before its first byte is sent.
func (h *Handlers) StatementPDF(c echo.Context) error {
	subject, f, err := h.statementRequest(c)
	if err != nil {
		return err
	}
	loc := partnerLocation(subject.TimeZone)
	var doc *pdf.Statement
	ctx := c.Request().Context()
	held := false
	defer func() {
		if held {
			<-largeStatements
		}
	}()
	begin := func(t store.StatementTotals) error {
		if !f.Paged && t.Count() > store.MaxStatementRows {
			var v store.Validation
			v.Add("to", "the period has "+strconv.Itoa(t.Count())+" movements and a PDF lists at most "+
				strconv.Itoa(store.MaxStatementRows)+": choose a shorter period, or use the CSV export")
			return v.Err()
		}
		if !f.Paged && t.Count() > largeStatementRows {
			select {
			case largeStatements <- struct{}{}:
				held = true
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		head := pdf.StatementHeader{Partner: subject.PartnerName, Cardholder: subject.HolderName,
			Card: subject.Card.MaskedNumber(), Currency: subject.Card.Currency, From: f.From, To: f.To, Location: loc,
			GeneratedAt: h.app.Now(), GeneratedBy: web.Actor(c).Label, Selection: statementSelection(ctx, f, t), Partial: f.Paged,
			Labels: statementLabels(c)}
		sum := pdf.StatementSummary{Opening: t.Opening, Credits: t.Credits, Debits: t.Debits, Closing: t.Closing,
			CreditCount: t.CreditCount, DebitCount: t.DebitCount}
		var err error
		doc, err = pdf.NewStatement(head, sum)
		return err
	}
	each := func(m store.MovementRow) error { return doc.Add(statementRow(ctx, m)) }
	if err := h.store.StatementMovements(ctx, f, begin, each); err != nil {
		return err
	}
	if err := h.auditStatement(c, subject, f, "pdf", doc.Rows()); err != nil {
		return err
	}
	// doc.WriteTo checks the table against the summary before writing; only the first byte sends the
	// status and the attachment headers, so a refusal still gets the error envelope.
	res := c.Response()
	out := &attachment{res: res, contentType: "application/pdf", filename: statementFilename(subject, f, "pdf")}
	if _, err := doc.WriteTo(out); err != nil {
		if res.Committed {
			h.app.Log.Error("statement cut short", "request_id", web.RequestID(c), "err", err)
			panic(http.ErrAbortHandler)
		}
		return err
	}
	return nil
}

// attachment is a response body that sends the download headers and the 200 status with its first
// byte.
type attachment struct {
	res         *echo.Response
	contentType string
	filename    string // digits, letters, dots and hyphens only: it goes into a quoted header value
}

// start sends the headers and the status.
func (a *attachment) start() {
	h := a.res.Header()
	h.Set(echo.HeaderContentType, a.contentType)
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+a.filename+`"`)
	h.Set("Cache-Control", "no-store")
	a.res.WriteHeader(http.StatusOK)
}

func (a *attachment) Write(p []byte) (int, error) {
	if !a.res.Committed {
		a.start()
	}
	return a.res.Write(p)
}

// StatementCSV streams the same movements as the statement as CSV (RFC 4180, UTF-8, a header row).
// Rows are written as they are read, so an export of any size holds one row at a time; a failure
// after the first byte aborts the connection rather than pass a truncated file for a whole one.
func (h *Handlers) StatementCSV(c echo.Context) error {
	subject, f, err := h.statementRequest(c)
	if err != nil {
		return err
	}
	loc := partnerLocation(subject.TimeZone)
	res := c.Response()
	out := &attachment{res: res, contentType: "text/csv; charset=utf-8; header=present", filename: statementFilename(subject, f, "csv")}
	w := csv.NewWriter(out)
	rows := 0
	begin := func(t store.StatementTotals) error {
		count := t.Count()
		if f.Paged {
			count = max(0, min(f.Page.Limit, t.Count()-f.Page.Offset()))
		}
		if err := h.auditStatement(c, subject, f, "csv", count); err != nil {
			return err
		}
		out.start()
		return w.Write(csvHeaderIn(c, "statement", csvHeader))
	}
	each := func(m store.MovementRow) error {
		if err := w.Write(csvRecord(m, loc)); err != nil {
			return err
		}
		if rows++; rows%500 == 0 {
			w.Flush()
			res.Flush()
		}
		return w.Error()
	}
	err = h.store.StatementMovements(c.Request().Context(), f, begin, each)
	if err == nil {
		w.Flush()
		err = w.Error()
	}
	if err != nil && res.Committed {
		h.app.Log.Error("CSV export cut short", "request_id", web.RequestID(c), "err", err)
		panic(http.ErrAbortHandler)
	}
	return err
}

// csvHeader names the export's columns.
var csvHeader = []string{"id", "createdAt", "type", "direction", "reference", "description", "counterpartCard",
	"debit", "credit", "balanceAfter", "currency", "reversedBy"}

// csvRecord is one movement of the export. Times carry the partner's offset; amounts are exact.
func csvRecord(l store.MovementRow, loc *time.Location) []string {
	var debit, credit, counterpart string
	if l.Direction == "DEBIT" {
		debit = money.Format(l.Amount)
	} else {
		credit = money.Format(l.Amount)
	}
	if l.CounterpartLast4 != nil {
		counterpart = *l.CounterpartLast4
	}
	var reversedBy string
	if l.ReversedBy != nil {
		reversedBy = strconv.FormatInt(*l.ReversedBy, 10)
	}
	return []string{strconv.FormatInt(l.ID, 10), l.CreatedAt.In(loc).Format(time.RFC3339), l.Type, l.Direction,
		csvText(l.Reference), csvText(l.Description), counterpart, debit, credit, money.Format(l.BalanceAfter), l.Currency,
		reversedBy}
}

// csvText defuses spreadsheet formulas: a text cell that starts with = + - @ or a control character
// gets a leading apostrophe, so opening the export in a spreadsheet never runs what an operator or
// API client typed (OWASP "CSV injection").
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r\n", rune(s[0])) {
		return "'" + s
	}
	return s
}

// statementRow is a movement as the PDF table shows it, in the request's language.
func statementRow(ctx context.Context, l store.MovementRow) pdf.StatementRow {
	r := pdf.StatementRow{At: l.CreatedAt, Type: format.Enum(ctx, "movement_type", l.Type), Reference: l.Reference,
		Description: l.Description, Balance: l.BalanceAfter}
	if l.Direction == "DEBIT" {
		r.Debit = l.Amount
	} else {
		r.Credit = l.Amount
	}
	if l.CounterpartLast4 != nil {
		other := i18n.T(ctx, "statement.to_card", map[string]any{"Last4": *l.CounterpartLast4})
		if l.Direction == "CREDIT" {
			other = i18n.T(ctx, "statement.from_card", map[string]any{"Last4": *l.CounterpartLast4})
		}
		r.Description = strings.TrimSpace(other + "\n" + r.Description)
	}
	if l.ReversedBy != nil {
		r.Description = strings.TrimSpace(r.Description + "\n" + i18n.T(ctx, "statement.reversed_by", map[string]any{"ID": *l.ReversedBy}))
	}
	return r
}

// sortColumnWord names a movements sort column in the request's language.
func sortColumnWord(ctx context.Context, column string) string {
	switch column {
	case "createdAt":
		return i18n.T(ctx, "movements.col_date")
	case "amount":
		return i18n.T(ctx, "movements.col_amount")
	case "type":
		return i18n.T(ctx, "movements.col_type")
	case "balanceAfter":
		return i18n.T(ctx, "movements.col_balance")
	}
	return column
}

// statementSelection says, in the request's language, which rows the PDF lists when they are not
// the whole period by date.
func statementSelection(ctx context.Context, f store.StatementFilter, t store.StatementTotals) string {
	var parts []string
	if f.Paged && t.Count() > 0 {
		first, last := f.Page.Offset()+1, min(f.Page.Offset()+f.Page.Limit, t.Count())
		if first > last {
			parts = append(parts, i18n.T(ctx, "statement.page_none", map[string]any{"Page": f.Page.Number, "Total": t.Count()}))
		} else {
			parts = append(parts, i18n.T(ctx, "statement.page_rows", map[string]any{"First": first, "Last": last,
				"Total": t.Count(), "Page": f.Page.Number, "Limit": f.Page.Limit}))
		}
	}
	if !f.Chronological() {
		id := "statement.sorted_asc"
		if f.SortOrder == "desc" {
			id = "statement.sorted_desc"
		}
		parts = append(parts, i18n.T(ctx, id, map[string]any{"Column": sortColumnWord(ctx, f.SortBy)}))
	}
	return strings.Join(parts, " ")
}
