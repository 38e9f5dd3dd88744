package handlers_test

import (
	"archive/zip"
	"bytes"
	"net/http"
	"strings"
	"testing"

	"cardconsole/internal/apptest"
	"cardconsole/store"
)

func TestBulkCardholderFileInBothFormats(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"csv", "semicolon-csv-bom", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			w := newBulkWorld(t)
			stock := chStock(t, w.env, w.partner, 3)
			bad := holderRow(2, "")
			bad[8] = "not-an-email"
			rows := [][]string{cardholderHeader, holderRow(1, itoa(stock[2])), bad, holderRow(3, "")}
			var file []byte
			name := "holders.csv"
			switch format {
			case "csv":
				file = csvBytes(t, ',', rows...)
			case "semicolon-csv-bom":
				file = append([]byte("\xef\xbb\xbf"), csvBytes(t, ';', rows...)...)
			case "xlsx":
				file, name = xlsxBytes(t, rows...), "holders.xlsx"
			}
			id := w.uploadOK(w.maker, "/cardholders/upload", "users", name, file)
			if b := w.batch(id); b["status"] != store.BatchQueued || b["total"] != float64(3) || b["kind"] != "CARDHOLDERS" {
				t.Fatalf("new batch %v", b)
			}
			w.work()
			// The bad row fails on its own; the others are created, one with the named card and one
			// with the next stock card.
			w.wantCounts(id, store.BatchCompleted, 2, 1)
			if n := w.count(`SELECT count(*) FROM cardholders WHERE partner_id = $1`, w.partner); n != 2 {
				t.Fatalf("%d cardholders, want 2", n)
			}
			if n := w.count(`SELECT count(*) FROM cards c JOIN cardholders h ON h.id = c.cardholder_id
				WHERE h.document_number = $1 AND c.id = $2`, holderRow(1, "")[10], stock[2]); n != 1 {
				t.Fatal("the named card was not given to the first row's cardholder")
			}
			if n := w.count(`SELECT count(*) FROM cards c JOIN cardholders h ON h.id = c.cardholder_id
				WHERE h.document_number = $1 AND c.id = $2`, holderRow(3, "")[10], stock[0]); n != 1 {
				t.Fatal("the blank cardId did not take the first stock card")
			}
			if n := w.count(`SELECT count(*) FROM audit_log WHERE action = 'bulk.row' AND object_id = $1`, itoa(id)); n != 2 {
				t.Fatalf("%d row audit entries, want 2", n)
			}
		})
	}
}

func TestBulkErrorFileFixedAndUploadedAgainCompletes(t *testing.T) {
	t.Parallel()
	w := newBulkWorld(t)
	chStock(t, w.env, w.partner, 4)
	bad1, bad2 := holderRow(2, ""), holderRow(3, "")
	bad1[8] = "nobody"
	bad2[4] = "1990-13-45"
	id := w.uploadOK(w.maker, "/cardholders/upload", "users", "holders.csv",
		csvBytes(t, ',', cardholderHeader, holderRow(1, ""), bad1, bad2, holderRow(4, "")))
	w.work()
	w.wantCounts(id, store.BatchCompleted, 2, 2)

	for _, format := range []string{"csv", "xlsx"} {
		res := w.maker.Do(http.MethodGet, partnerPath(w.partner, "/batches/"+itoa(id)+"/errors."+format), nil).WantStatus(http.StatusOK)
		if !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("%s error file is not an attachment", format)
		}
		var rows [][]string
		if format == "csv" {
			rows = readCSV(t, res.Body)
		} else {
			rows = readXLSX(t, res.Body)
		}
		if len(rows) != 3 || rows[0][len(rows[0])-1] != "error" {
			t.Fatalf("%s error file %v, want the header with an error column and the two bad rows", format, rows)
		}
		errCol := len(rows[0]) - 1
		if !strings.HasPrefix(rows[1][errCol], "email:") || !strings.HasPrefix(rows[2][errCol], "dateOfBirth:") {
			t.Errorf("errors %q and %q must name the field", rows[1][errCol], rows[2][errCol])
		}
	}
	if n := w.count(`SELECT count(*) FROM audit_log WHERE action = 'bulk.errors.download' AND object_id = $1`, itoa(id)); n != 2 {
		t.Errorf("%d downloads audited, want 2", n)
	}

	// The operator fixes the rows in the downloaded file and uploads it as it is, error column included.
	rows := readCSV(t, w.maker.Do(http.MethodGet, partnerPath(w.partner, "/batches/"+itoa(id)+"/errors.csv"), nil).Body)
	rows[1][column(t, rows[0], "email")] = "fixed@example.com"
	rows[2][column(t, rows[0], "dateOfBirth")] = "1990-12-15"
	again := w.uploadOK(w.maker, "/cardholders/upload", "users", "fixed.csv", csvBytes(t, ',', rows...))
	w.work()
	w.wantCounts(again, store.BatchCompleted, 2, 0)
	if n := w.count(`SELECT count(*) FROM cardholders WHERE partner_id = $1`, w.partner); n != 4 {
		t.Fatalf("%d cardholders, want 4", n)
	}
}

func TestBulkSameFileAndSameRowDoNotDuplicate(t *testing.T) {
	t.Parallel()
	w := newBulkWorld(t)
	chStock(t, w.env, w.partner, 4)
	file := csvBytes(t, ',', cardholderHeader, holderRow(1, ""), holderRow(2, ""))
	first := w.uploadOK(w.maker, "/cardholders/upload", "users", "a.csv", file)
	w.work()
	w.wantCounts(first, store.BatchCompleted, 2, 0)

	// The same bytes again within the day: 409 naming the first batch, nothing stored.
	res := w.upload(w.maker, "/cardholders/upload", "users", "a-copy.csv", file, nil).WantError(http.StatusConflict, "7011")
	if res.Data()["id"] != float64(first) {
		t.Fatalf("409 names %v, want batch %d", res.Data(), first)
	}
	if n := w.count(`SELECT count(*) FROM bulk_batches`); n != 1 {
		t.Fatalf("%d batches after the refused copy", n)
	}
	// Forced, it is stored, and each row is reported as a duplicate rather than created twice.
	forced := w.upload(w.maker, "/cardholders/upload", "users", "a-copy.csv", file, map[string]string{"force": "true"}).
		WantStatus(http.StatusCreated)
	w.work()
	w.wantCounts(int64(forced.Data()["id"].(float64)), store.BatchCompleted, 0, 2)
	if n := w.count(`SELECT count(*) FROM cardholders`); n != 2 {
		t.Fatalf("%d cardholders after the re-upload, want 2", n)
	}
	if n := w.count(`SELECT count(*) FROM bulk_rows WHERE code = '7011' AND error LIKE 'documentNumber:%'`); n != 2 {
		t.Fatalf("%d duplicate rows reported, want 2", n)
	}
	if n := w.count(`SELECT count(*) FROM cards WHERE cardholder_id IS NULL`); n != 2 {
		t.Fatalf("%d stock cards left, want 2: a duplicate row must not take a card", n)
	}
}

func TestBulkCardFileInBothFormats(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"csv", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			w := newBulkWorld(t)
			_, doc := w.holder()
			stock := chStock(t, w.env, w.partner, 2)
			rows := [][]string{{"documentType", "documentNumber", "cardId", "activate"},
				{"DPI", doc, itoa(stock[1]), "true"}, {"DPI", doc, "", "false"}, {"DPI", "9999999999999", "", "false"}}
			file, name := csvBytes(t, ',', rows...), "cards.csv"
			if format == "xlsx" {
				file, name = xlsxBytes(t, rows...), "cards.xlsx"
			}
			id := w.uploadOK(w.maker, "/cards/upload", "cards", name, file)
			w.work()
			w.wantCounts(id, store.BatchCompleted, 2, 1)
			if n := w.count(`SELECT count(*) FROM cards WHERE id = $1 AND status = 'ACTIVE' AND cardholder_id IS NOT NULL`, stock[1]); n != 1 {
				t.Error("the card asked to be activated is not ACTIVE")
			}
			if n := w.count(`SELECT count(*) FROM cards WHERE id = $1 AND status = 'INACTIVE' AND cardholder_id IS NOT NULL`, stock[0]); n != 1 {
				t.Error("the blank cardId did not give the next stock card")
			}
			if n := w.count(`SELECT count(*) FROM bulk_rows WHERE batch_id = $1 AND code = '7100'`, id); n != 1 {
				t.Error("an unknown document must fail with 7100")
			}
		})
	}
}

// zipBytes builds a zip archive of the named parts.
func zipBytes(t *testing.T, parts map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for name, content := range parts {
		f, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		f.Write(content)
	}
	z.Close()
	return buf.Bytes()
}

// zipBomb is a small archive named like a workbook whose parts unpack to 300 MB.
func zipBomb(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	if f, err := z.Create("xl/workbook.xml"); err == nil {
		f.Write([]byte("<workbook/>"))
	}
	f, err := z.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	zeros := make([]byte, 1<<20)
	for range 300 {
		f.Write(zeros)
	}
	z.Close()
	return buf.Bytes()
}

func TestBulkUploadRefusalsStoreNothing(t *testing.T) {
	t.Parallel()
	w := newBulkWorld(t)
	viewer := w.env.Operator("viewer@example.com", true, apptest.Grant{Partner: w.partner, Permissions: []string{"cardholders:list"}})
	head := strings.Join(cardholderHeader, ",")
	tooMany := &strings.Builder{}
	tooMany.WriteString(head + "\n")
	for range store.BulkMaxRows + 1 {
		tooMany.WriteString("a\n")
	}
	cases := []struct {
		name    string
		op      func() (int, string) // status and code
		message string
	}{
		{"empty", func() (int, string) { return w.try("e.csv", []byte{}, nil) }, "empty"},
		{"blank lines only", func() (int, string) { return w.try("e.csv", []byte("\n\n"), nil) }, "empty"},
		{"header only", func() (int, string) { return w.try("h.csv", []byte(head+"\n"), nil) }, "no rows"},
		{"unknown column", func() (int, string) { return w.try("u.csv", []byte(head+",nickname\nx\n"), nil) }, `"nickname"`},
		{"missing column", func() (int, string) {
			return w.try("m.csv", []byte(strings.Replace(head, ",email", "", 1)+"\nx\n"), nil)
		}, "email"},
		{"pdf renamed", func() (int, string) { return w.try("p.csv", pdfBytes(t, "not a sheet"), nil) }, "CSV"},
		{"png renamed", func() (int, string) { return w.try("p.xlsx", pngBytes(t), nil) }, "CSV"},
		{"zip not a workbook", func() (int, string) {
			return w.try("z.xlsx", zipBytes(t, map[string][]byte{"word/document.xml": []byte("<w/>")}), nil)
		}, "not an XLSX"},
		{"zip bomb", func() (int, string) {
			return w.try("b.xlsx", zipBomb(t), nil)
		}, "unpacks"},
		{"too many rows", func() (int, string) { return w.try("big.csv", []byte(tooMany.String()), nil) }, "100000"},
		{"too large", func() (int, string) { return w.try("big.csv", make([]byte, store.BulkMaxBytes+1), nil) }, "16 MB"},
		{"no file", func() (int, string) { return w.try("", nil, nil) }, "required"},
		{"no code", func() (int, string) {
			return w.try("ok.csv", csvBytes(t, ',', cardholderHeader, holderRow(1, "")), map[string]string{"otp": ""})
		}, ""},
		{"no permission", func() (int, string) {
			res := w.upload(viewer, "/cardholders/upload", "users", "ok.csv", csvBytes(t, ',', cardholderHeader, holderRow(1, "")), nil)
			return res.Status, res.ErrorCode()
		}, ""},
	}
	want := map[string][2]any{"empty": {400, "7000"}, "blank lines only": {400, "7000"}, "header only": {400, "7000"},
		"unknown column": {400, "7000"}, "missing column": {400, "7000"}, "pdf renamed": {415, "7013"}, "png renamed": {415, "7013"},
		"zip not a workbook": {415, "7013"}, "zip bomb": {400, "7000"}, "too many rows": {400, "7000"}, "too large": {413, "7012"},
		"no file": {400, "7000"}, "no code": {403, "7007"}, "no permission": {403, "7005"}}
	for _, c := range cases {
		status, code := c.op()
		if status != want[c.name][0] || code != want[c.name][1] {
			t.Errorf("%s: %d %s, want %v", c.name, status, code, want[c.name])
		}
		if c.message != "" && !strings.Contains(w.lastMessage, c.message) {
			t.Errorf("%s: message %q does not name the problem (%q)", c.name, w.lastMessage, c.message)
		}
	}
	if n := w.count(`SELECT (SELECT count(*) FROM bulk_batches) + (SELECT count(*) FROM blobs)`); n != 0 {
		t.Fatalf("a refused upload stored %d things", n)
	}
}
