package handlers

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/web"
	"cardconsole/web/export"
)

// textRow is a row of text cells for a download.
func textRow(values []string) []export.Cell {
	cells := make([]export.Cell, len(values))
	for i, v := range values {
		cells[i] = export.Text(v)
	}
	return cells
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
		f, _ := export.ParseFormat(format)
		w, err := export.New(c.Response(), f, fmt.Sprintf("batch-%d-errors", id), out)
		if err != nil {
			return err
		}
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
			return w.Row(textRow(append(row, msg))...)
		})
		if err == nil {
			err = w.Close()
		} else {
			w.Discard()
		}
		if err != nil && w.Started() {
			// The status is sent already: the truncated file must not pass for a whole one.
			h.app.Log.Error("error file download failed", "batch", id, "err", err)
			panic(http.ErrAbortHandler)
		}
		return err
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
	f, _ := export.ParseFormat(format)
	w, err := export.New(c.Response(), f, "template-"+name, store.BulkColumns(kind))
	if err != nil {
		return err
	}
	if err := w.Row(textRow(bulkExamples[kind])...); err != nil {
		w.Discard()
		return err
	}
	return w.Close()
}
