package handlers

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/web"
	"cardconsole/web/export"
)

// listDownload is one download of a list: which list, whose, with which filters.
type listDownload struct {
	list      string         // the list's name: the file's name and the audit entry's object
	headerKey string         // the catalogue prefix of its header row: csv.<headerKey>.<column>
	columns   []string       // the columns' field names, in order
	partnerID int64          // the partner of a partner's list; 0 for a list across partners
	zone      *time.Location // the partner's time zone, for the file's name; nil for UTC
	filters   map[string]any // the filters and sort as the list read them, for the audit entry
}

// rowFunc writes one row of a download.
type rowFunc func(cells ...export.Cell) error

// download streams the rows that each hands on as a file of the format, with the header row in the
// operator's language, and records one audit entry: the list, its filters, the format and how many
// rows were sent (complete false when the download was cut short after its first bytes). The filters are checked before this is called and each reports a bad filter or a
// failed query before its first row, so those are answered with the error envelope; a failure
// after the first bytes aborts the connection, so a truncated file never passes for a whole one.
func (h *Handlers) download(c echo.Context, format export.Format, d listDownload, each func(rowFunc) error) error {
	header := make([]string, len(d.columns))
	for i, col := range d.columns {
		header[i] = web.T(c, "csv."+d.headerKey+"."+col)
	}
	w, err := export.New(c.Response(), format, d.filename(h.app.Now()), header)
	if err != nil {
		return err
	}
	err = each(rowFunc(w.Row))
	// A refused filter or a failed query sent nothing: there is no download to record.
	if err == nil || w.Started() {
		if aerr := h.auditDownload(c, format, d, w.Rows(), err == nil); err == nil {
			err = aerr
		}
	}
	if err == nil {
		err = w.Close()
	} else {
		w.Discard()
	}
	if err != nil && w.Started() {
		h.app.Log.Error("export cut short", "list", d.list, "request_id", web.RequestID(c), "err", err)
		panic(http.ErrAbortHandler)
	}
	return err
}

// filename names the file after the list, its partner and the time in the partner's zone:
// cardholders-12-20260301-0930.
func (d listDownload) filename(now time.Time) string {
	name := d.list
	if d.partnerID != 0 {
		name += "-" + strconv.FormatInt(d.partnerID, 10)
	}
	loc := d.zone
	if loc == nil {
		loc = time.UTC
	}
	return name + "-" + now.In(loc).Format("20060102-1504")
}

// auditDownload records a download: a list read in bulk, personal data included.
func (h *Handlers) auditDownload(c echo.Context, format export.Format, d listDownload, rows int, complete bool) error {
	// A client that went away still read what was sent: the entry is written whatever the request's
	// context says.
	ctx := context.WithoutCancel(c.Request().Context())
	return h.store.Audit(ctx, web.Actor(c), store.Event{PartnerID: d.partnerID, Action: "export.download",
		ObjectType: "export", ObjectID: d.list,
		After: map[string]any{"list": d.list, "format": string(format), "filters": d.filters, "rows": rows, "complete": complete}})
}

// zoneOf is the time zone of a partner, for the times of its rows; UTC for none or an unreadable one.
func (h *Handlers) zoneOf(c echo.Context, partnerID int64) *time.Location {
	if partnerID == 0 {
		return time.UTC
	}
	p, err := h.store.Partner(c.Request().Context(), partnerID)
	if err != nil {
		return time.UTC
	}
	return partnerLocation(p.TimeZone)
}

// zones looks up partners' time zones once each, for lists whose rows belong to several partners.
func (h *Handlers) zones(c echo.Context) func(partnerID int64) *time.Location {
	seen := map[int64]*time.Location{}
	return func(id int64) *time.Location {
		loc, ok := seen[id]
		if !ok {
			loc = h.zoneOf(c, id)
			seen[id] = loc
		}
		return loc
	}
}
