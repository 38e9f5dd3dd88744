// Command statement measures what one PDF card statement of a busy year costs (make
// bench-statement, docs/performance-reports.md): it renders 100,000 movements, generated one at a
// time as the store streams them, into a file, and reports the process's peak resident memory and
// the CPU time of the rendering from its own resource usage. It then checks the file the way the
// tests do: qpdf --check, and pdftotext finds every movement, "Page n of n" on the last page, the
// totals line and the cardholder's name with its accents.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/shopspring/decimal"

	"cardconsole/views/pdf"
	"cardconsole/views/pdf/pdftest"
)

func main() {
	rows := flag.Int("rows", pdftest.YearRows, "movements in the statement")
	out := flag.String("out", filepath.Join(os.TempDir(), "statement-bench.pdf"), "where the PDF is written")
	check := flag.Bool("check", true, "check the file with qpdf and pdftotext")
	flag.Parse()
	if err := run(*rows, *out, *check); err != nil {
		fmt.Fprintln(os.Stderr, "bench-statement:", err)
		os.Exit(1)
	}
}

// usage is the process's CPU time (user + system) and peak resident memory so far.
func usage() (time.Duration, float64) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return cpu, float64(ru.Maxrss) / 1024 // Linux reports kilobytes
}

func run(n int, path string, check bool) error {
	loc, err := time.LoadLocation("America/Guatemala")
	if err != nil {
		return err
	}
	load, _ := os.ReadFile("/proc/loadavg")
	h := pdf.StatementHeader{Partner: "Café Quetzal, S.A.", Cardholder: "María José Ñúñez Łukasz", Card: "459876******1234",
		Currency: "GTQ", From: "2025-01-01", To: "2025-12-31", Location: loc,
		GeneratedAt: time.Date(2026, 1, 2, 10, 15, 0, 0, loc), GeneratedBy: "admin@demo.test"}
	gen0, _ := usage()
	sum := pdftest.YearSummary(n, loc) // generates every row once: what the rows alone cost
	gen1, _ := usage()
	runtime.GC()
	cpu0, rss0 := usage()
	var ms0 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	start := time.Now()

	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	s, err := pdf.NewStatement(h, sum)
	if err != nil {
		return err
	}
	bal := decimal.Zero
	for i := range n {
		var r pdf.StatementRow
		r, bal = pdftest.YearRow(i, bal, loc)
		if err := s.Add(r); err != nil {
			return err
		}
	}
	size, err := s.WriteTo(f)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}

	wall := time.Since(start)
	cpu1, rss1 := usage()
	var ms1 runtime.MemStats
	runtime.ReadMemStats(&ms1)
	fmt.Printf("statement of %d movements: %.1f MiB file %s\n", n, float64(size)/(1<<20), path)
	fmt.Printf("  peak RSS    %6.1f MiB  (%.1f MiB before rendering)\n", rss1, rss0)
	fmt.Printf("  CPU         %6.2f s    (user + system, rendering and generating the rows; the rows alone %.2f s)\n",
		(cpu1 - cpu0).Seconds(), (gen1 - gen0).Seconds())
	fmt.Printf("  wall        %6.2f s\n", wall.Seconds())
	fmt.Printf("  allocated   %6.0f MiB  in %d allocations\n", float64(ms1.TotalAlloc-ms0.TotalAlloc)/(1<<20), ms1.Mallocs-ms0.Mallocs)
	fmt.Printf("  load        %s", load)
	if !check {
		return nil
	}
	return verify(path, n)
}

// verify runs qpdf --check and reads the text back with pdftotext.
func verify(path string, n int) error {
	out, err := exec.Command("qpdf", "--check", path).CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("No syntax or stream encoding errors found")) {
		return fmt.Errorf("qpdf --check: %v\n%s", err, out)
	}
	out, err = exec.Command("qpdf", "--show-npages", path).Output()
	if err != nil {
		return fmt.Errorf("qpdf --show-npages: %w", err)
	}
	pages, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		return err
	}
	out, err = exec.Command("pdftotext", "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		return fmt.Errorf("pdftotext: %w", err)
	}
	text := string(out)
	for _, want := range []string{fmt.Sprintf("Page %d of %d", pages, pages), fmt.Sprintf("Totals of the %d movements listed", n),
		"María José Ñúñez Łukasz", "Movimiento de prueba número 7 — año"} {
		if !strings.Contains(text, want) {
			return fmt.Errorf("pdftotext finds no %q", want)
		}
	}
	if got := strings.Count(text, "HIST-"); got != n {
		return fmt.Errorf("pdftotext finds %d of %d movements", got, n)
	}
	fmt.Printf("  checked     %d pages: qpdf --check passes, pdftotext finds every movement, the totals and \"Page %d of %d\"\n", pages, pages, pages)
	return nil
}
