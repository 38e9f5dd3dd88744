package handlers

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"

	"cardconsole/store"
	"cardconsole/web"
	"cardconsole/web/export"
)

// rowWriter writes a table as CSV or XLSX, streaming: XLSX rows go through excelize's StreamWriter,
// which keeps them on disk rather than in memory.
type rowWriter interface {
	Write(cells []string) error
	Close() error
}

type csvRows struct{ w *csv.Writer }

func (c csvRows) Write(cells []string) error {
	safe := make([]string, len(cells))
	for i, s := range cells {
		safe[i] = export.Neutralise(s)
	}
	return c.w.Write(safe)
}

func (c csvRows) Close() error { c.w.Flush(); return c.w.Error() }

type xlsxRows struct {
	out  io.Writer
	f    *excelize.File
	sw   *excelize.StreamWriter
	next int
}

// Write adds a row of text cells: a cell is always a string, never a formula.
func (x *xlsxRows) Write(cells []string) error {
	x.next++
	vals := make([]any, len(cells))
	for i, s := range cells {
		vals[i] = s
	}
	cell, err := excelize.CoordinatesToCellName(1, x.next)
	if err != nil {
		return err
	}
	return x.sw.SetRow(cell, vals)
}

func (x *xlsxRows) Close() error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return err
	}
	_, err := x.f.WriteTo(x.out)
	return err
}

// newRowWriter starts a download named name (with its extension) in the format, "csv" or "xlsx".
func newRowWriter(c echo.Context, format, name string) (rowWriter, error) {
	res := c.Response()
	res.Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	res.Header().Set("X-Content-Type-Options", "nosniff")
	if format == "csv" {
		res.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
		res.WriteHeader(http.StatusOK)
		return csvRows{w: csv.NewWriter(res)}, nil
	}
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		f.Close()
		return nil, err
	}
	res.Header().Set(echo.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	res.WriteHeader(http.StatusOK)
	return &xlsxRows{out: res, f: f, sw: sw}, nil
}

// personalColumns are the columns the console hides from operators who need a code to see
// personal data (cardholders:otp); the error file hides them the same way.
var personalColumns = []string{"address", "dateofbirth", "phonenumber", "email", "documentnumber"}

// maskCell keeps the last 4 characters of a value and stars the rest.
func maskCell(s string) string {
	r := []rune(s)
	if len(r) <= 4 {
		return strings.Repeat("*", len(r))
	}
	return strings.Repeat("*", len(r)-4) + string(r[len(r)-4:])
}

// BatchErrors downloads a batch's failed rows as uploaded, with an error column naming the field and
// the reason, as CSV or XLSX, so the operator fixes them and uploads the file again. The download is
// audited; personal data is masked for operators who need a code to see it.
func (h *Handlers) BatchErrors(format string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := batchParam(c)
		if err != nil {
			return err
		}
		ctx := c.Request().Context()
		pid := web.PartnerID(c)
		header, err := h.store.BatchHeader(ctx, pid, id)
		if err != nil {
			return err
		}
		mask := web.NeedsOTP(c, "cardholders")
		keep, masked := []int{}, map[int]bool{}
		var out []string
		for i, col := range header {
			name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(col, "\ufeff")))
			if name == "error" {
				continue // a fixed error file uploaded again: its old errors are replaced
			}
			keep = append(keep, i)
			masked[i] = mask && slices.Contains(personalColumns, name)
			out = append(out, col)
		}
		out = append(out, "error")
		if err := h.store.Audit(ctx, web.Actor(c), store.Event{PartnerID: pid, Action: "bulk.errors.download", ObjectType: "bulk_batch",
			ObjectID: id, After: map[string]any{"format": format, "masked": mask}}); err != nil {
			return err
		}
		w, err := newRowWriter(c, format, fmt.Sprintf("batch-%d-errors.%s", id, format))
		if err != nil {
			return err
		}
		err = w.Write(out)
		if err == nil {
			err = h.store.EachBatchRow(ctx, pid, id, true, func(r store.BulkRow) error {
				row := make([]string, 0, len(keep)+1)
				for _, i := range keep {
					v := ""
					if i < len(r.Cells) {
						v = r.Cells[i]
					}
					if masked[i] {
						v = maskCell(v)
					}
					row = append(row, v)
				}
				msg := ""
				if r.Error != nil {
					msg = *r.Error
				}
				return w.Write(append(row, msg))
			})
		}
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			// The status is sent already: log it; the truncated file is the client's only sign.
			h.app.Log.Error("error file download failed", "batch", id, "err", err)
		}
		return nil
	}
}

// bulkExamples are the example rows of the templates.
var bulkExamples = map[store.BulkKind][]string{
	store.BulkCardholders: {"María", "Ramírez", "Calle Principal 123", "GT", "1990-05-12", "soltero", "F", "50255551234",
		"maria@example.com", "DPI", "2345678901234", ""},
	store.BulkCards:  {"DPI", "2345678901234", "", "false"},
	store.BulkPayout: {"", "DPI", "2345678901234", "150.00", "PAY-2026-0001", "Payroll, first fortnight"},
}

// bulkTemplateKinds maps a template's file name to its kind.
var bulkTemplateKinds = map[string]store.BulkKind{"cardholders": store.BulkCardholders, "cards": store.BulkCards,
	"payout": store.BulkPayout}

// BulkTemplate downloads the template of a kind of file (cardholders, cards or payout) as CSV or
// XLSX: the header and an example row.
func (h *Handlers) BulkTemplate(c echo.Context) error {
	name, format, _ := strings.Cut(c.Param("file"), ".")
	kind, ok := bulkTemplateKinds[name]
	if !ok || (format != "csv" && format != "xlsx") {
		return store.NotFound("template")
	}
	w, err := newRowWriter(c, format, "template-"+name+"."+format)
	if err != nil {
		return err
	}
	if err := w.Write(store.BulkColumns(kind)); err != nil {
		return err
	}
	if err := w.Write(bulkExamples[kind]); err != nil {
		return err
	}
	return w.Close()
}
