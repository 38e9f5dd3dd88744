package handlers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/internal/benchdata"
)

// flushRecorder is a client that counts what reaches it: the bytes of the body and, at each flush
// of the response, how many had arrived by then and the heap in use.
type flushRecorder struct {
	header  http.Header
	status  int
	written int
	lines   int
	flushes []int
	heap    []uint64
}

func (r *flushRecorder) Header() http.Header { return r.header }

func (r *flushRecorder) WriteHeader(status int) { r.status = status }

func (r *flushRecorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.written += len(p)
	r.lines += strings.Count(string(p), "\n")
	return len(p), nil
}

func (r *flushRecorder) Flush() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	r.flushes = append(r.flushes, r.written)
	r.heap = append(r.heap, m.HeapInuse)
}

// A large list streams: the CSV of 20,000 cardholders reaches the client in pieces while the rows
// are still being read (its first bytes are flushed when less than a tenth of the file has been
// written), and the XLSX of the same rows is whole.
func TestLargeExportStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("fills 20,000 cardholders")
	}
	const n = 20_000
	env := apptest.New(t, handlers.Routes)
	ctx := context.Background()
	p, err := benchdata.Partner(ctx, env.Store, "Big Payroll")
	if err != nil {
		t.Fatal(err)
	}
	if err := benchdata.FillCardholders(ctx, env.Store, p, n); err != nil {
		t.Fatal(err)
	}
	op := env.Operator("viewer@example.com", false, apptest.Grant{Partner: p, Roles: []string{"viewer"}}).Login()

	req := httptest.NewRequest(http.MethodGet, partnerPath(p, "/cardholders/export.csv?sortBy=documentNumber&sortOrder=asc"), nil)
	for k, v := range op.Headers() {
		req.Header.Set(k, v)
	}
	rec := &flushRecorder{header: http.Header{}}
	env.Server.Config.Handler.ServeHTTP(rec, req)
	if rec.status != http.StatusOK || rec.lines != n+1 {
		t.Fatalf("status %d with %d lines, want 200 with %d", rec.status, rec.lines, n+1)
	}
	if len(rec.flushes) < 10 || rec.flushes[0]*10 > rec.written {
		t.Fatalf("the export was flushed %d times, first after %d of %d bytes: it did not stream", len(rec.flushes), rec.flushes[0], rec.written)
	}
	t.Logf("CSV: %d bytes in %d flushes, the first after %d bytes; heap in use %d MB at the first flush, %d MB at the last",
		rec.written, len(rec.flushes), rec.flushes[0], rec.heap[0]>>20, rec.heap[len(rec.heap)-1]>>20)

	res := env.Do(http.MethodGet, partnerPath(p, "/cardholders/export.xlsx?sortBy=documentNumber&sortOrder=asc"), op.Headers(), nil).WantStatus(http.StatusOK)
	if rows := readXLSX(t, res.Body); len(rows) != n+1 {
		t.Fatalf("the workbook has %d rows, want %d", len(rows), n+1)
	}
	t.Logf("XLSX: %d bytes", len(res.Body))
	if a := exportAudits(t, env, "cardholders"); len(a) != 2 || a[0]["rows"] != float64(n) || a[1]["rows"] != float64(n) {
		t.Errorf("audit entries %v", a)
	}
}
