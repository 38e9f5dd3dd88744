package pdf_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"cardconsole/views/pdf"
	"cardconsole/views/pdf/pdftest"
)

// Notes are written by several requests at once (the seed, evidence files of the tests): the
// documents must not share anything they write, which the race detector checks here, and each
// reads back whole.
func TestNotesRenderConcurrently(t *testing.T) {
	t.Parallel()
	const n = 4
	type note struct {
		want []string
		doc  []byte
		err  error
	}
	notes := make([]note, 2*n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// One note with lines (both fonts), then one with a title alone (the bold font only).
			title := "Receipt " + strings.Repeat("x", i+1)
			line := fmt.Sprintf("Línea única %d", i)
			withLines, titleOnly := &notes[2*i], &notes[2*i+1]
			withLines.want = []string{title, line}
			withLines.doc, withLines.err = pdf.Note(title, line)
			titleOnly.want = []string{"Evidence " + title}
			titleOnly.doc, titleOnly.err = pdf.Note("Evidence " + title)
		}()
	}
	wg.Wait()
	for i, nt := range notes {
		if nt.err != nil {
			t.Fatal(nt.err)
		}
		if pages := pdftest.Check(t, nt.doc); pages != 1 {
			t.Fatalf("note %d: %d pages", i, pages)
		}
		text := pdftest.Text(t, nt.doc)
		for _, w := range nt.want {
			if !strings.Contains(text, w) {
				t.Fatalf("note %d reads %q, want %q in it", i, text, w)
			}
		}
	}
}
