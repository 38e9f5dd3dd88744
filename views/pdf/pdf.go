// Package pdf renders the console's PDF documents. It is the only package that imports the PDF
// library (jung-kurt/gofpdf), so the library can be swapped without touching handlers or store.
//
// Text is set in DejaVu Sans, embedded in the binary (fonts/, with its license) and written as a
// Unicode font, so names such as "María José Ñúñez" print as they are; the PDF core fonts only
// cover Latin-1.
//
// What is buffered: gofpdf keeps every page's content stream in memory until the document is
// finished (it needs the total page count for "Page x of y" and writes the cross-reference table
// at the end), then builds the whole compressed file in memory before it is written out. Callers
// therefore feed rows one at a time and never hold them as a slice, but the document itself grows
// with the number of rows; docs/performance-reports.md records what a year of movements costs.
package pdf

import (
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jung-kurt/gofpdf"
)

//go:embed fonts/DejaVuSans.ttf
var dejaVuSans []byte

//go:embed fonts/DejaVuSans-Bold.ttf
var dejaVuSansBold []byte

// fontFamily is the name the embedded font is registered under in every document.
const fontFamily = "DejaVu"

// newDocument starts an A4 landscape document in millimetres with the Unicode font registered
// and "{nb}" standing for the page count.
func newDocument() *gofpdf.Fpdf {
	f := gofpdf.New("L", "mm", "A4", "")
	f.AliasNbPages("{nb}")
	f.AddUTF8FontFromBytes(fontFamily, "", dejaVuSans)
	f.AddUTF8FontFromBytes(fontFamily, "B", dejaVuSansBold)
	f.SetCreator("cardconsole", true)
	return f
}

// clean makes text safe to measure and print: gofpdf's Unicode fonts index widths by rune and only
// cover the Basic Multilingual Plane, so anything beyond it (emoji) or unprintable becomes "?",
// tabs and other spaces become plain spaces, and line breaks are kept for wrapping.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\r':
			return -1
		case unicode.IsSpace(r):
			return ' '
		case r == utf8.RuneError || r > 0xFFFF || !unicode.IsPrint(r):
			return '?'
		}
		return r
	}, s)
}
