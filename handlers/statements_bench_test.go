package handlers_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store/storetest"
	"cardconsole/views/pdf/pdftest"
)

// yearOfMovements is a busy card's year: 100,000 movements in 2025, one every 5 minutes 15 seconds.
const yearOfMovements = 100_000

// yearCase is a card with a year of movements, behind the real router.
func yearCase(b *testing.B) (*apptest.Operator, string) {
	b.Helper()
	env := apptest.New(b, handlers.Routes)
	p := env.Partner("Café Quetzal, S.A.", "GTQ")
	holder := storetest.Cardholder(b, env.Store, p)
	card := storetest.ActiveCard(b, env.Store, p, holder)
	storetest.CardHistory(b, env.Store, card, yearOfMovements, time.Date(2025, 1, 1, 0, 0, 0, 0, guatemala), 315*time.Second)
	if _, err := env.Store.DB().Exec(`ANALYZE movements`); err != nil {
		b.Fatal(err)
	}
	op := env.Operator("bench@example.com", false, apptest.Grant{Partner: p, Roles: []string{"viewer"}})
	op.Login()
	return op, fmt.Sprintf("%s/cms/rest/app/partners/%d/cardholders/%d/cards/%d/movements/", env.Server.URL, p, holder, card.ID)
}

// heapPeak samples the process's live heap (server and client share it) until stopped, in MiB.
func heapPeak() func() float64 {
	var mu sync.Mutex
	var peak uint64
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			mu.Lock()
			peak = max(peak, ms.HeapAlloc)
			mu.Unlock()
			select {
			case <-ctx.Done():
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() float64 {
		cancel()
		wg.Wait()
		return float64(peak) / (1 << 20)
	}
}

func download(b *testing.B, op *apptest.Operator, url string, w io.Writer) {
	b.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for k, v := range op.Headers() {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(res.Body)
		b.Fatalf("status %d: %s", res.StatusCode, body)
	}
	if _, err := io.Copy(w, res.Body); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkStatementPDFYear downloads the PDF statement of a year of movements through the router
// (database query, streaming into the PDF, HTTP) and checks the last one with qpdf and pdftotext.
func BenchmarkStatementPDFYear(b *testing.B) {
	op, base := yearCase(b)
	url := base + "report?from=2025-01-01&to=2025-12-31"
	var out bytes.Buffer
	runtime.GC()
	stop := heapPeak()
	b.ResetTimer()
	for b.Loop() {
		out.Reset()
		download(b, op, url, &out)
	}
	b.StopTimer()
	b.ReportMetric(stop(), "peak-heap-MiB")
	b.ReportMetric(float64(out.Len())/(1<<20), "file-MiB")
	pages := pdftest.Check(b, out.Bytes())
	b.ReportMetric(float64(pages), "pages")
	text := pdftest.Text(b, out.Bytes())
	if n := strings.Count(text, "HIST-"); n != yearOfMovements {
		b.Fatalf("%d of %d movements in the PDF", n, yearOfMovements)
	}
	if !strings.Contains(text, fmt.Sprintf("Page %d of %d", pages, pages)) || !strings.Contains(text, fmt.Sprintf("Totals of the %d movements listed", yearOfMovements)) {
		b.Fatal("the last page lacks its number or the totals")
	}
}

// BenchmarkStatementCSVYear downloads the same year as CSV, which streams row by row.
func BenchmarkStatementCSVYear(b *testing.B) {
	op, base := yearCase(b)
	url := base + "export.csv?from=2025-01-01&to=2025-12-31"
	var out bytes.Buffer
	runtime.GC()
	stop := heapPeak()
	b.ResetTimer()
	for b.Loop() {
		out.Reset()
		download(b, op, url, &out)
	}
	b.StopTimer()
	b.ReportMetric(stop(), "peak-heap-MiB")
	b.ReportMetric(float64(out.Len())/(1<<20), "file-MiB")
	records, err := csv.NewReader(&out).ReadAll()
	if err != nil || len(records) != yearOfMovements+1 {
		b.Fatalf("%d CSV records (%v)", len(records), err)
	}
}
