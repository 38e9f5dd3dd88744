package pdf_test

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"cardconsole/views/pdf"
	"cardconsole/views/pdf/pdftest"
)

// yearRows is how many movements a busy card has in a year: the size docs/performance-reports.md
// records.
const yearRows = 100_000

// peakHeap samples the live heap while it runs and returns the highest value seen, in MiB.
func peakHeap() (stop func() float64) {
	var mu sync.Mutex
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			mu.Lock()
			peak = max(peak, ms.HeapAlloc)
			mu.Unlock()
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() float64 {
		close(done)
		wg.Wait()
		return float64(peak) / (1 << 20)
	}
}

// BenchmarkStatementYear renders a year of movements (100,000 rows), generated one at a time as the
// store streams them, and checks the last document with qpdf and pdftotext (not with -short). It is
// a measurement, not a timed test: nothing fails on a duration.
func BenchmarkStatementYear(b *testing.B) {
	loc := guatemala
	h := header()
	h.From, h.To = "2025-01-01", "2025-12-31"
	// The summary of the rows below, computed the way the rows are.
	row := func(i int, bal decimal.Decimal) (pdf.StatementRow, decimal.Decimal) {
		r := pdf.StatementRow{At: time.Date(2025, 1, 1, 0, 0, 0, 0, loc).Add(time.Duration(i) * 315 * time.Second),
			Type: "Load", Reference: fmt.Sprintf("HIST-%06d", i), Description: fmt.Sprintf("Movimiento de prueba número %d — año", i)}
		if i%4 == 3 {
			amt := decimal.NewFromFloat(5.5).Add(decimal.NewFromInt(int64(i % 13)))
			r.Type, r.Debit, bal = "Unload", amt, bal.Sub(amt)
		} else {
			amt := decimal.RequireFromString("10.25").Add(decimal.NewFromInt(int64(i % 97)))
			r.Credit, bal = amt, bal.Add(amt)
		}
		r.Balance = bal
		return r, bal
	}
	sum := pdf.StatementSummary{}
	bal := decimal.Zero
	for i := range yearRows {
		var r pdf.StatementRow
		r, bal = row(i, bal)
		sum.Credits, sum.Debits = sum.Credits.Add(r.Credit), sum.Debits.Add(r.Debit)
		if r.Debit.IsPositive() {
			sum.DebitCount++
		} else {
			sum.CreditCount++
		}
	}
	sum.Closing = bal

	var out bytes.Buffer
	stop := peakHeap()
	b.ResetTimer()
	for b.Loop() {
		out.Reset()
		s, err := pdf.NewStatement(h, sum)
		if err != nil {
			b.Fatal(err)
		}
		bal := decimal.Zero
		for i := range yearRows {
			var r pdf.StatementRow
			r, bal = row(i, bal)
			if err := s.Add(r); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := s.WriteTo(&out); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(stop(), "peak-heap-MiB")
	b.ReportMetric(float64(out.Len())/(1<<20), "file-MiB")
	if testing.Short() {
		return // -short leaves out the checks, so /usr/bin/time -v measures the rendering alone
	}
	pages := pdftest.Check(b, out.Bytes())
	b.ReportMetric(float64(pages), "pages")
	text := pdftest.Text(b, out.Bytes())
	if n := strings.Count(text, "HIST-"); n != yearRows {
		b.Fatalf("%d of %d movements in the text", n, yearRows)
	}
	if !strings.Contains(text, fmt.Sprintf("Page %d of %d", pages, pages)) || !strings.Contains(text, "Totals of the 100000 movements listed") {
		b.Fatal("the last page lacks its number or the totals")
	}
}
