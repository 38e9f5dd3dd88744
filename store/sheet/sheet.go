// Package sheet reads the rows of an uploaded spreadsheet, CSV or XLSX, one at a time, as text
// values: a formula is never evaluated (an XLSX cell gives the value Excel saved with it) and
// nothing is ever written back.
package sheet

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Format is the kind of file.
type Format string

// The formats read.
const (
	CSV  Format = "CSV"
	XLSX Format = "XLSX"
)

// Limits of what is read.
const (
	// MaxUnpacked bounds the sum of the unpacked sizes of an XLSX's parts: a small file that unpacks
	// to gigabytes (a zip bomb) is refused before anything is unpacked.
	MaxUnpacked = 256 << 20
	// spillXML is the size above which excelize keeps a worksheet's XML in a temporary file rather
	// than in memory.
	spillXML = 8 << 20
	// MaxCell bounds one cell, in bytes.
	MaxCell = 4096
)

// Problem is a file that cannot be read, with a message for the person who uploaded it.
type Problem struct {
	Unsupported bool // the bytes are not a CSV or XLSX file
	Message     string
}

func (p *Problem) Error() string { return p.Message }

func problem(format string, args ...any) *Problem {
	return &Problem{Message: fmt.Sprintf(format, args...)}
}

// Sniff tells the format from a file's first bytes: a zip archive is XLSX (checked further when
// opened), UTF-8 text without NUL bytes is CSV.
func Sniff(head []byte) (Format, bool) {
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		return XLSX, true
	}
	text := bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	if bytes.IndexByte(text, 0) >= 0 {
		return "", false
	}
	// The sniffed head may cut its last character in two.
	for i := 0; i < utf8.UTFMax-1 && len(text) > 0 && !utf8.Valid(text); i++ {
		text = text[:len(text)-1]
	}
	if !utf8.Valid(text) {
		return "", false
	}
	return CSV, true
}

// Reader yields the rows of a file; Next returns io.EOF after the last one.
type Reader interface {
	// Next returns the next row's cells and its row number in the file (the first row is 1).
	Next() (cells []string, line int, err error)
	Close() error
}

// Open opens a stored file in the given format.
func Open(path string, format Format) (Reader, error) {
	switch format {
	case CSV:
		return openCSV(path)
	case XLSX:
		return openXLSX(path)
	}
	return nil, &Problem{Unsupported: true, Message: "the file must be CSV or XLSX"}
}

type csvReader struct {
	f    *os.File
	r    *csv.Reader
	line int
}

func openCSV(path string) (Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sheet: unable to open file: %w", err)
	}
	br := bufio.NewReader(f)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	first, _ := br.Peek(4096)
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	return &csvReader{f: f, r: NewCSV(br, Delimiter(first))}, nil
}

// NewCSV reads CSV records of any width from r with the given separator.
func NewCSV(r io.Reader, comma rune) *csv.Reader {
	cr := csv.NewReader(r)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	return cr
}

// Delimiter is the separator a header line uses: Excel in Spanish locales writes semicolons.
func Delimiter(header []byte) rune {
	if bytes.Count(header, []byte(";")) > bytes.Count(header, []byte(",")) {
		return ';'
	}
	return ','
}

func (c *csvReader) Next() ([]string, int, error) {
	rec, err := c.r.Read()
	if errors.Is(err, io.EOF) {
		return nil, 0, io.EOF
	}
	c.line++
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, c.line, problem("row %d is not valid CSV: %v", pe.StartLine, pe.Err)
		}
		return nil, c.line, fmt.Errorf("sheet: unable to read file: %w", err)
	}
	return rec, c.line, CheckCells(rec, c.line)
}

func (c *csvReader) Close() error { return c.f.Close() }

// CheckCells refuses cells that are not UTF-8 text or are too long.
func CheckCells(cells []string, line int) error {
	for _, cell := range cells {
		if !utf8.ValidString(cell) {
			return problem("row %d is not UTF-8 text; save the file as CSV UTF-8", line)
		}
		if len(cell) > MaxCell {
			return problem("row %d has a cell longer than %d characters", line, MaxCell)
		}
	}
	return nil
}

type xlsxReader struct {
	f    *excelize.File
	rows *excelize.Rows
	line int
}

func openXLSX(path string) (Reader, error) {
	if err := checkZip(path); err != nil {
		return nil, err
	}
	f, err := excelize.OpenFile(path, excelize.Options{RawCellValue: true, UnzipSizeLimit: MaxUnpacked, UnzipXMLSizeLimit: spillXML})
	if err != nil {
		return nil, &Problem{Unsupported: true, Message: "the file is not a readable XLSX workbook"}
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, &Problem{Unsupported: true, Message: "the XLSX workbook has no worksheet"}
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		f.Close()
		return nil, &Problem{Unsupported: true, Message: "the first worksheet of the XLSX workbook cannot be read"}
	}
	return &xlsxReader{f: f, rows: rows}, nil
}

// checkZip refuses an archive that is not a workbook or would unpack past MaxUnpacked, from its
// directory alone.
func checkZip(path string) error {
	z, err := zip.OpenReader(path)
	if err != nil {
		return &Problem{Unsupported: true, Message: "the file is not a readable XLSX workbook"}
	}
	defer z.Close()
	var total uint64
	workbook := false
	for _, f := range z.File {
		total += f.UncompressedSize64
		workbook = workbook || f.Name == "xl/workbook.xml"
	}
	if !workbook {
		return &Problem{Unsupported: true, Message: "the file is a zip archive but not an XLSX workbook"}
	}
	if total > MaxUnpacked {
		return problem("the XLSX workbook unpacks to more than %d MB", MaxUnpacked>>20)
	}
	return nil
}

func (x *xlsxReader) Next() ([]string, int, error) {
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			return nil, 0, problem("the XLSX worksheet cannot be read after row %d", x.line)
		}
		return nil, 0, io.EOF
	}
	x.line++
	cells, err := x.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, x.line, problem("row %d of the XLSX worksheet cannot be read", x.line)
	}
	return cells, x.line, CheckCells(cells, x.line)
}

func (x *xlsxReader) Close() error {
	_ = x.rows.Close()
	return x.f.Close()
}

// Blank reports whether every cell of a row is empty or spaces: spreadsheets often end with such rows.
func Blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
