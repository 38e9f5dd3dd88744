// Package export writes a list download, CSV or XLSX, row by row as the rows are read: CSV goes to
// the response as it is written (flushed every few hundred rows), XLSX through excelize's
// StreamWriter, which keeps the worksheet in a temporary file rather than in memory once it grows.
// Every list of the console downloads through it, so every file defuses formulas, names itself and
// types its cells the same way.
package export

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Format is the kind of file a download is.
type Format string

// The formats a list downloads as.
const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// ParseFormat reads a format name ("csv" or "xlsx", any case).
func ParseFormat(s string) (Format, bool) {
	switch Format(strings.ToLower(s)) {
	case CSV:
		return CSV, true
	case XLSX:
		return XLSX, true
	}
	return "", false
}

// ContentType is the media type of the format.
func (f Format) ContentType() string {
	if f == XLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8; header=present"
}

// flushEvery is how many CSV rows go out before the response is flushed, so the first rows reach
// the client while the rest are still being read.
const flushEvery = 500

// sheetName is the XLSX worksheet's name.
const sheetName = "Sheet1"

// Writer writes one download. The status and the headers go out with the first bytes, so an error
// before any row is written (a failed query) can still be answered with the error envelope.
type Writer struct {
	format Format
	res    *response
	csv    *csv.Writer
	book   *excelize.File
	sheet  *excelize.StreamWriter
	rows   int // data rows written, the header row not counted
	lines  int // rows written, the header row counted
	line   []any
}

// New begins a download of format to w, named filename (without its extension), whose first row is
// header.
func New(w http.ResponseWriter, format Format, filename string, header []string) (*Writer, error) {
	res := &response{w: w, contentType: format.ContentType(), filename: SafeName(filename) + "." + string(format)}
	out := &Writer{format: format, res: res}
	if format == XLSX {
		out.book = excelize.NewFile()
		sw, err := out.book.NewStreamWriter(sheetName)
		if err != nil {
			_ = out.book.Close()
			return nil, fmt.Errorf("export: unable to start the worksheet: %w", err)
		}
		out.sheet = sw
	} else {
		out.csv = csv.NewWriter(bufio.NewWriterSize(res, 32<<10))
	}
	cells := make([]Cell, len(header))
	for i, h := range header {
		cells[i] = Text(h)
	}
	if err := out.write(cells); err != nil {
		return nil, err
	}
	return out, nil
}

// Row writes one row of cells.
func (w *Writer) Row(cells ...Cell) error {
	if err := w.write(cells); err != nil {
		return err
	}
	w.rows++
	if w.format == CSV && w.rows%flushEvery == 0 {
		return w.flushCSV()
	}
	return nil
}

// Rows is the number of data rows written so far.
func (w *Writer) Rows() int { return w.rows }

// Started reports whether the response's status and first bytes have gone out: after that an
// error can no longer be answered with the error envelope.
func (w *Writer) Started() bool { return w.res.started }

// Close finishes the file: the CSV's last rows, or the whole XLSX package, which can only be
// written once its last row is known.
func (w *Writer) Close() error {
	if w.format == CSV {
		return w.flushCSV()
	}
	defer w.book.Close()
	if err := w.sheet.Flush(); err != nil {
		return fmt.Errorf("export: unable to finish the worksheet: %w", err)
	}
	if _, err := w.book.WriteTo(w.res); err != nil {
		return fmt.Errorf("export: unable to write the workbook: %w", err)
	}
	return nil
}

// Discard frees what an unfinished download holds (the XLSX's temporary files).
func (w *Writer) Discard() {
	if w.book != nil {
		_ = w.book.Close()
	}
}

func (w *Writer) write(cells []Cell) error {
	if w.format == CSV {
		rec := make([]string, len(cells))
		for i, c := range cells {
			rec[i] = c.csv()
		}
		return w.csv.Write(rec)
	}
	w.line = w.line[:0]
	for _, c := range cells {
		w.line = append(w.line, c.xlsx())
	}
	w.lines++
	ref, err := excelize.CoordinatesToCellName(1, w.lines)
	if err != nil {
		return err
	}
	if err := w.sheet.SetRow(ref, w.line); err != nil {
		return fmt.Errorf("export: unable to write a row: %w", err)
	}
	return nil
}

func (w *Writer) flushCSV() error {
	w.csv.Flush()
	if err := w.csv.Error(); err != nil {
		return err
	}
	return w.res.flush()
}

// response sends the status and the download's headers with its first byte.
type response struct {
	w           http.ResponseWriter
	contentType string
	filename    string
	started     bool
}

func (r *response) Write(p []byte) (int, error) {
	if !r.started {
		h := r.w.Header()
		h.Set("Content-Type", r.contentType)
		h.Set("Content-Disposition", `attachment; filename="`+r.filename+`"`)
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		r.w.WriteHeader(http.StatusOK)
		r.started = true
	}
	return r.w.Write(p)
}

func (r *response) flush() error {
	if !r.started {
		return nil
	}
	return http.NewResponseController(r.w).Flush()
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// SafeName keeps a file name to letters, digits, dots, hyphens and underscores, which need no
// quoting in a Content-Disposition header; "export" when nothing is left.
func SafeName(name string) string {
	name = strings.Trim(unsafeName.ReplaceAllString(name, "-"), "-.")
	if name == "" {
		return "export"
	}
	return name
}
