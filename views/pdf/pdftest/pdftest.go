// Package pdftest checks PDFs the way a reader would, with poppler's pdftotext and qpdf, rather
// than by size or bytes. Without the tools a test is skipped, except under CI=true, where it fails.
package pdftest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// need returns the path of a tool, skipping or failing the test when it is missing.
func need(t testing.TB, tool, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed: under CI=true the PDF checks must run (apt-get install %s)", tool, pkg)
		}
		t.Skipf("%s is not installed; install %s to check PDFs", tool, pkg)
	}
	return p
}

// file writes the document to a temporary file for the tools.
func file(t testing.TB, doc []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func run(t testing.TB, tool string, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := exec.Command(tool, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s%s", filepath.Base(tool), strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.String()
}

// Text is the document's text as pdftotext -layout extracts it; pages are separated by form feeds.
func Text(t testing.TB, doc []byte) string {
	t.Helper()
	tool := need(t, "pdftotext", "poppler-utils")
	return run(t, tool, "-layout", "-enc", "UTF-8", file(t, doc), "-")
}

// Pages splits the extracted text into its pages.
func Pages(t testing.TB, doc []byte) []string {
	t.Helper()
	pages := strings.Split(Text(t, doc), "\f")
	if n := len(pages); n > 0 && strings.TrimSpace(pages[n-1]) == "" {
		pages = pages[:n-1]
	}
	return pages
}

// Check fails the test unless qpdf --check finds the document's structure sound, and returns its
// page count.
func Check(t testing.TB, doc []byte) int {
	t.Helper()
	tool := need(t, "qpdf", "qpdf")
	path := file(t, doc)
	out := run(t, tool, "--check", path)
	if !strings.Contains(out, "No syntax or stream encoding errors found") {
		t.Fatalf("qpdf --check:\n%s", out)
	}
	n, err := strconv.Atoi(strings.TrimSpace(run(t, tool, "--show-npages", path)))
	if err != nil {
		t.Fatalf("qpdf --show-npages: %v", err)
	}
	return n
}
