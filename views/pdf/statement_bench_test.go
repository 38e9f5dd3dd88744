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

const yearRows = pdftest.YearRows

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
	h := header()
	h.From, h.To = "2025-01-01", "2025-12-31"
	sum := pdftest.YearSummary(yearRows, guatemala)

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
			r, bal = pdftest.YearRow(i, bal, guatemala)
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
