package sheet

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// readAll reads every row of a file, failing the test on anything but a Problem.
func readAll(t *testing.T, path string, format Format) ([][]string, error) {
	r, err := Open(path, format)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var rows [][]string
	for {
		cells, _, err := r.Next()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			var p *Problem
			if !errors.As(err, &p) {
				t.Fatalf("a bad file must give a Problem, got %v", err)
			}
			return rows, err
		}
		rows = append(rows, cells)
	}
}

// FuzzCSVRows feeds arbitrary bytes to the CSV reader: it never panics, refuses with a Problem,
// and every row it returns is valid UTF-8 within the cell limit.
func FuzzCSVRows(f *testing.F) {
	f.Add([]byte("name,lastName\nMaría,Ramírez\n"))
	f.Add([]byte("\xef\xbb\xbfa;b;c\n1;\"2;3\";4\n"))
	f.Add([]byte("a,\"b\nc\",d\n=1+1,@x,-2\n"))
	f.Add([]byte("a,b\n\xff\xfe,c\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "f.csv")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if format, ok := Sniff(data); !ok || format != CSV {
			return
		}
		rows, _ := readAll(t, path, CSV)
		for _, r := range rows {
			for _, c := range r {
				if !utf8.ValidString(c) || len(c) > MaxCell {
					t.Fatalf("cell %q passed", c)
				}
			}
		}
	})
}

// FuzzXLSXCells writes fuzzed text to workbook cells and reads them back: each comes back as the
// same text (a formula-looking value stays text), whatever it contains.
func FuzzXLSXCells(f *testing.F) {
	f.Add("María", "=SUM(A1:A2)", "+50255551234")
	f.Add("  spaced  ", "@cmd", "1990-05-12")
	f.Add("", "0012", "1e5")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		cells := []string{a, b, c}
		for _, s := range cells {
			if !utf8.ValidString(s) || len(s) > MaxCell || strings.IndexFunc(s, func(r rune) bool {
				return unicode.IsControl(r) || r == utf8.RuneError || !unicode.IsPrint(r) && r != ' '
			}) >= 0 {
				return
			}
		}
		wb := excelize.NewFile()
		for i, s := range cells {
			name, _ := excelize.CoordinatesToCellName(i+1, 1)
			if err := wb.SetCellStr("Sheet1", name, s); err != nil {
				return
			}
		}
		path := filepath.Join(t.TempDir(), "f.xlsx")
		if err := wb.SaveAs(path); err != nil {
			t.Fatal(err)
		}
		rows, err := readAll(t, path, XLSX)
		if err != nil {
			t.Fatalf("a workbook excelize wrote cannot be read: %v", err)
		}
		var got []string
		if len(rows) > 0 {
			got = rows[0]
		}
		for i, s := range cells {
			v := ""
			if i < len(got) {
				v = got[i]
			}
			if v != s {
				t.Fatalf("cell %d: wrote %q, read %q", i, s, v)
			}
		}
	})
}
