package handlers_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"cardconsole/internal/apptest"
	"cardconsole/web/export"
)

// exportRows fetches a list export with the headers and returns its rows, the header row first,
// after checking it is an attachment of its format named after the list.
func exportRows(t *testing.T, env *apptest.Env, headers map[string]string, path, format, list string) [][]string {
	t.Helper()
	res := env.Do(http.MethodGet, path, headers, nil).WantStatus(http.StatusOK)
	cd := res.Header.Get("Content-Disposition")
	if !strings.HasPrefix(cd, `attachment; filename="`+list+"-") || !strings.HasSuffix(cd, "."+format+`"`) {
		t.Errorf("GET %s: Content-Disposition %q", path, cd)
	}
	if format == "csv" {
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("GET %s: Content-Type %q", path, ct)
		}
		return readCSV(t, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("GET %s: Content-Type %q", path, ct)
	}
	return readXLSX(t, res.Body)
}

// listItems reads the items of a JSON list answer.
func listItems(t *testing.T, res *apptest.Response, key string) []map[string]any {
	t.Helper()
	body := res.JSON()
	if d, ok := body["data"].(map[string]any); ok {
		body = d
	}
	raw, ok := body[key].([]any)
	if !ok {
		t.Fatalf("no %s in %s", key, res.Body)
	}
	out := make([]map[string]any, len(raw))
	for i, it := range raw {
		out[i] = it.(map[string]any)
	}
	return out
}

// wantRowsOfList fails unless rows (header first) hold the JSON items in the same order, each column
// named in fields (export column → JSON member) equal to the item's value: the same text (a formula
// neutralised), the same amount, the same instant.
func wantRowsOfList(t *testing.T, what string, rows [][]string, items []map[string]any, fields map[string]string) {
	t.Helper()
	if len(rows) != len(items)+1 {
		t.Fatalf("%s: %d rows, want %d (the list's) and the header: %q", what, len(rows)-1, len(items), rows)
	}
	if len(items) == 0 {
		t.Fatalf("%s: the list is empty, which proves nothing", what)
	}
	header := rows[0]
	for col, member := range fields {
		i := column(t, header, col)
		for r, it := range items {
			row := rows[r+1]
			cell := ""
			if i < len(row) {
				cell = row[i]
			}
			if !sameValue(cell, it[member]) {
				t.Errorf("%s: row %d column %s = %q, the list has %v", what, r+1, col, cell, it[member])
			}
		}
	}
}

// sameValue reports whether a cell shows a JSON value.
func sameValue(cell string, v any) bool {
	switch x := v.(type) {
	case nil:
		return cell == ""
	case float64:
		if x == math.Trunc(x) && cell == fmt.Sprintf("%.0f", x) {
			return true
		}
		d, err := decimal.NewFromString(cell)
		return err == nil && d.Equal(decimal.NewFromFloat(x))
	case string:
		if cell == export.Neutralise(x) {
			return true
		}
		if a, err := decimal.NewFromString(x); err == nil {
			b, err := decimal.NewFromString(cell)
			return err == nil && a.Equal(b)
		}
		if a, err := time.Parse(time.RFC3339Nano, x); err == nil {
			b, err := time.Parse(time.RFC3339, cell)
			return err == nil && a.Truncate(time.Second).Equal(b)
		}
	}
	return false
}

// xlsxCellType is the type a downloaded workbook gives a cell of its first sheet.
func xlsxCellType(t *testing.T, body []byte, cell string) excelize.CellType {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	typ, err := f.GetCellType(f.GetSheetList()[0], cell)
	if err != nil {
		t.Fatal(err)
	}
	return typ
}

// exportAudits are the export.download entries of a list, oldest first, as their after member.
func exportAudits(t *testing.T, env *apptest.Env, list string) []map[string]any {
	t.Helper()
	var raw [][]byte
	if err := env.Store.DB().Select(&raw, `SELECT after FROM audit_log WHERE action = 'export.download' AND object_id = $1 ORDER BY id`, list); err != nil {
		t.Fatal(err)
	}
	out := make([]map[string]any, len(raw))
	for i, b := range raw {
		out[i] = map[string]any{}
		if err := json.Unmarshal(b, &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}
