// Package pdf renders the console's PDF documents. It is the only package that writes PDF, so the
// way it does can change without touching handlers or store.
//
// Statements, which can run to thousands of pages, are written by a small PDF writer of this
// package (writer.go, document.go): each page's content is compressed and written out as soon as the
// page is finished, and the page count of "Page x of y", unknown until the end, is a form every
// footer draws and that is written last. gofpdf (jung-kurt/gofpdf) keeps every page in memory until
// the end and then builds the whole file in memory again, which cost a year of movements 250 MB; it
// still writes the one-page notes (Note), where that does not matter.
//
// Text that Windows-1252 can encode is set in the core font Helvetica (nothing embedded, one byte a
// character); anything else, such as "Łukasz", in DejaVu Sans (fonts/, with its license), embedded
// with only the glyphs used. Notes set everything in DejaVu Sans through gofpdf.
package pdf

import (
	"bytes"
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
// and "{nb}" standing for the page count. Each document gets its own copy of the font files:
// gofpdf pads the font's tables in place when it subsets them, which would write into the shared
// embedded bytes while another document reads them.
func newDocument() *gofpdf.Fpdf {
	f := gofpdf.New("L", "mm", "A4", "")
	f.AliasNbPages("{nb}")
	f.AddUTF8FontFromBytes(fontFamily, "", bytes.Clone(dejaVuSans))
	f.AddUTF8FontFromBytes(fontFamily, "B", bytes.Clone(dejaVuSansBold))
	f.SetCreator("cardconsole", true)
	return f
}

// clean makes text safe to measure and print: gofpdf's Unicode fonts index widths by rune and only
// cover the Basic Multilingual Plane, so anything beyond it (emoji) or unprintable becomes "?",
// tabs and other spaces become plain spaces, and line breaks are kept for wrapping.
func clean(s string) string {
	printable := true
	for i := 0; i < len(s) && printable; i++ {
		printable = s[i] >= ' ' && s[i] < 0x7F
	}
	if printable {
		return s // the common case, without looking at each rune's class
	}
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
