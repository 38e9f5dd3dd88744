package handlers_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store"
	"cardconsole/store/storetest"
	"cardconsole/web"
)

// bulkWorld is a partner with a maker (uploads files) and a checker (approves payouts).
type bulkWorld struct {
	t              *testing.T
	env            *apptest.Env
	partner        int64
	maker, checker *apptest.Operator
	lastMessage    string // the message of the last refusal try saw
}

// try uploads a cardholder file as the maker and returns the status and the first error code,
// keeping the refusal's message.
func (w *bulkWorld) try(name string, content []byte, fields map[string]string) (int, string) {
	w.t.Helper()
	res := w.upload(w.maker, "/cardholders/upload", "users", name, content, fields)
	if res.Status < 400 {
		return res.Status, ""
	}
	w.lastMessage, _ = res.JSON()["message"].(string)
	return res.Status, res.ErrorCode()
}

func newBulkWorld(t *testing.T) *bulkWorld {
	t.Helper()
	return newBulkWorldOn(t, apptest.New(t, handlers.Routes))
}

// smallChunks starts the console with bulk jobs applying two rows a chunk, so a test can stop a job
// between chunks.
func smallChunks(t *testing.T) *apptest.Env {
	t.Helper()
	return apptest.NewWith(t, handlers.Routes, func(o *web.Options) { o.Store.UseBulkChunkRows(2) })
}

// newBulkWorldOn builds the bulk world on a running console.
func newBulkWorldOn(t *testing.T, env *apptest.Env) *bulkWorld {
	t.Helper()
	fx := env.Fixture("Payroll Co", "GTQ")
	maker := fx.Member("maker", true, apptest.Grant{Partner: fx.Partner, Permissions: []string{"bulk-create:create",
		"cards-admin:addFunds", "cardholders:list", "approvals:list"}})
	checker := fx.Member("checker", true, apptest.Grant{Partner: fx.Partner, Permissions: []string{"approvals:update", "approvals:list"}})
	return &bulkWorld{t: t, env: env, partner: fx.Partner, maker: maker, checker: checker}
}

// upload posts a file in the field as op, with a fresh one-time code unless fields carry one.
func (w *bulkWorld) upload(op *apptest.Operator, path, field, name string, content []byte, fields map[string]string) *apptest.Response {
	w.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if _, ok := fields["otp"]; !ok {
		if err := mw.WriteField("otp", op.OTP()); err != nil {
			w.t.Fatal(err)
		}
	}
	for k, v := range fields {
		if v != "" {
			if err := mw.WriteField(k, v); err != nil {
				w.t.Fatal(err)
			}
		}
	}
	if content != nil {
		part, err := mw.CreateFormFile(field, name)
		if err != nil {
			w.t.Fatal(err)
		}
		part.Write(content)
	}
	mw.Close()
	h := op.Headers()
	h["Content-Type"] = mw.FormDataContentType()
	return w.env.Do(http.MethodPost, partnerPath(w.partner, path), h, buf.Bytes())
}

// uploadOK uploads and returns the new batch's id.
func (w *bulkWorld) uploadOK(op *apptest.Operator, path, field, name string, content []byte) int64 {
	w.t.Helper()
	res := w.upload(op, path, field, name, content, nil)
	res.WantStatus(http.StatusCreated)
	return int64(res.Data()["id"].(float64))
}

// work runs the bulk jobs until none is left, as the background worker would.
func (w *bulkWorld) work() {
	w.t.Helper()
	for {
		found, err := w.env.Store.WorkBulkJob(context.Background(), 0)
		if err != nil {
			w.t.Fatalf("bulk job: %v", err)
		}
		if !found {
			return
		}
	}
}

// batch reads a batch through the API.
func (w *bulkWorld) batch(id int64) map[string]any {
	w.t.Helper()
	return w.maker.Do(http.MethodGet, partnerPath(w.partner, "/batches/"+itoa(id)), nil).WantStatus(http.StatusOK).Data()
}

// wantCounts fails unless the batch has the status and counts.
func (w *bulkWorld) wantCounts(id int64, status string, succeeded, failed int) map[string]any {
	w.t.Helper()
	b := w.batch(id)
	if b["status"] != status || b["succeeded"] != float64(succeeded) || b["failed"] != float64(failed) ||
		(status == store.BatchCompleted && b["processed"] != b["total"]) {
		w.t.Fatalf("batch %v, want %s with %d succeeded and %d failed", b, status, succeeded, failed)
	}
	return b
}

// count runs a counting query.
func (w *bulkWorld) count(query string, args ...any) int {
	w.t.Helper()
	var n int
	if err := w.env.Store.DB().Get(&n, query, args...); err != nil {
		w.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// holder makes a cardholder of the partner with an ACTIVE card and returns the card and the document.
func (w *bulkWorld) holder() (store.Card, string) {
	w.t.Helper()
	id := storetest.Cardholder(w.t, w.env.Store, w.partner)
	card := storetest.ActiveCard(w.t, w.env.Store, w.partner, id)
	var doc string
	if err := w.env.Store.DB().Get(&doc, `SELECT document_number FROM cardholders WHERE id = $1`, id); err != nil {
		w.t.Fatal(err)
	}
	return card, doc
}

// cardBalance is a card's balance.
func (w *bulkWorld) cardBalance(cardID int64) decimal.Decimal {
	w.t.Helper()
	var b decimal.Decimal
	if err := w.env.Store.DB().Get(&b, `SELECT a.balance FROM cards c JOIN accounts a ON a.id = c.account_id WHERE c.id = $1`, cardID); err != nil {
		w.t.Fatal(err)
	}
	return b
}

var cardholderHeader = []string{"name", "lastName", "address", "countryOfBirth", "dateOfBirth", "maritalStatus", "gender",
	"phoneNumber", "email", "documentType", "documentNumber", "cardId"}

// holderRow is a valid cardholder row for document n; cardID may be blank.
func holderRow(n int, cardID string) []string {
	return []string{"María", "Ramírez", "Calle Principal 123", "GT", "1990-05-12", "soltero", "F",
		fmt.Sprintf("502555%05d", n), fmt.Sprintf("maria%d@example.com", n), "DPI", fmt.Sprintf("%013d", 1000000+n), cardID}
}

// csvBytes writes rows as CSV with the separator.
func csvBytes(t testing.TB, comma rune, rows ...[]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Comma = comma
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// xlsxBytes writes rows to the first sheet of a workbook.
func xlsxBytes(t testing.TB, rows ...[]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		vals := make([]any, len(r))
		for j, v := range r {
			vals[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &vals); err != nil {
			t.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readCSV parses a downloaded CSV.
func readCSV(t testing.TB, b []byte) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("download is not CSV: %v: %s", err, b)
	}
	return rows
}

// readXLSX parses a downloaded workbook's first sheet.
func readXLSX(t testing.TB, b []byte) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("download is not XLSX: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// column is the index of a header's column.
func column(t testing.TB, header []string, name string) int {
	t.Helper()
	for i, h := range header {
		if strings.EqualFold(h, name) {
			return i
		}
	}
	t.Fatalf("no column %s in %v", name, header)
	return -1
}
