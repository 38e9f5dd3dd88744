package pdf

import (
	"math"
	"strconv"
	"time"
)

// Page size (A4 landscape) and units: layout is in millimetres from the top left corner, as it
// was with gofpdf; the file is in points from the bottom left.
const (
	pageWidth  = 297.0
	pageHeight = 210.0
	pt         = 72 / 25.4 // points per millimetre
	cellMargin = 1.0       // between a cell's edge and its text
)

// document is a PDF being written page by page: each page's content is compressed and written out
// when the next page starts, so memory holds one page, never the document. The page count, unknown
// until the end, is printed through a form (pageCount) that every footer draws and that is written
// last.
type document struct {
	w         *writer
	fonts     *fonts
	resources int   // the resource dictionary every page shares, written last
	pageTree  int   // the /Pages node, written last
	pageCount int   // the form that prints the total number of pages, written last
	pages     []int // the pages' object numbers, for the page tree
	content   []byte
	inPage    bool

	// The graphics state of the page being written, so that unchanged settings are not repeated.
	inText       bool
	textX, textY float64 // the text line's origin within BT, in points
	font         *font
	size         float64
	fill, stroke [3]uint8
	countSize    float64 // the size the page count is printed at
}

func newPDF(w *writer) *document {
	return &document{w: w, fonts: newFonts(), resources: w.reserve(), pageTree: w.reserve(), pageCount: w.reserve()}
}

// addPage finishes the current page, if any, and starts a new one.
func (d *document) addPage() {
	d.endPage()
	d.inPage = true
	d.content = append(d.content[:0], "0.57 w\n"...) // gofpdf's default line width, 0.2 mm
	d.inText, d.font, d.size, d.fill, d.stroke = false, nil, 0, [3]uint8{}, [3]uint8{}
}

// endPage writes the current page's content and its page object.
func (d *document) endPage() {
	if !d.inPage {
		return
	}
	d.endText()
	content, page := d.w.reserve(), d.w.reserve()
	d.w.stream(content, "", d.content)
	d.w.object(page, "<</Type /Page /Parent "+ref(d.pageTree)+" /MediaBox [0 0 841.89 595.28] /Resources "+
		ref(d.resources)+" /Contents "+ref(content)+">>")
	d.pages = append(d.pages, page)
	d.inPage = false
}

// pageNo is the number of the page being written.
func (d *document) pageNo() int { return len(d.pages) + 1 }

// close ends the last page and writes the objects that wait for the end: the page count, the
// fonts, the page tree, the catalogue, the document information and the cross-reference table.
func (d *document) close(info [][2]string, created time.Time) error {
	d.endPage()
	w := d.w
	fontDict := ""
	for _, f := range []*font{d.fonts.core[regular], d.fonts.core[bold], d.fonts.unicode[regular], d.fonts.unicode[bold]} {
		if f.core != nil || len(f.used) > 0 {
			f.object = w.reserve()
			fontDict += " /" + f.res + " " + ref(f.object)
		}
	}
	w.object(d.resources, "<</ProcSet [/PDF /Text] /Font <<"+fontDict+">> /XObject <</N "+ref(d.pageCount)+">>>>")
	for _, f := range []*font{d.fonts.core[regular], d.fonts.core[bold], d.fonts.unicode[regular], d.fonts.unicode[bold]} {
		if f.object != 0 {
			f.write(w)
		}
	}
	total := strconv.Itoa(len(d.pages))
	w.stream(d.pageCount, " /Type /XObject /Subtype /Form /BBox [0 -50 200 50] /Resources "+ref(d.resources),
		[]byte("BT /H "+string(appendNum(nil, d.countSize))+" Tf ("+total+") Tj ET"))
	kids := make([]byte, 0, 10*len(d.pages)+64)
	kids = append(kids, "<</Type /Pages /Count "+strconv.Itoa(len(d.pages))+" /Kids ["...)
	for _, p := range d.pages {
		kids = append(append(kids, ref(p)...), ' ')
	}
	w.object(d.pageTree, string(append(kids, "]>>"...)))
	root, infoObj := w.reserve(), w.reserve()
	w.object(root, "<</Type /Catalog /Pages "+ref(d.pageTree)+">>")
	dict := "<<"
	for _, kv := range info {
		dict += "/" + kv[0] + " " + textString(kv[1]) + " "
	}
	dict += "/CreationDate (D:" + created.UTC().Format("20060102150405") + "Z) /ModDate (D:" +
		created.UTC().Format("20060102150405") + "Z)>>"
	w.object(infoObj, dict)
	return w.finish(root, infoObj)
}

// text prints s with its baseline at (x, y) in millimetres.
func (d *document) text(x, y float64, st style, size float64, s string) {
	f, enc := d.fonts.pick(st, s)
	d.show(x, y, f, size, enc)
}

func (d *document) show(x, y float64, f *font, size float64, enc string) {
	if !d.inText {
		d.content = append(d.content, "BT\n"...)
		d.inText, d.textX, d.textY = true, 0, 0
	}
	if f != d.font || size != d.size {
		d.content = append(d.content, '/')
		d.content = append(d.content, f.res...)
		d.content = append(d.content, ' ')
		d.content = appendNum(d.content, size)
		d.content = append(d.content, " Tf\n"...)
		d.font, d.size = f, size
	}
	px, py := x*pt, (pageHeight-y)*pt
	d.content = appendNum(d.content, px-d.textX)
	d.content = append(d.content, ' ')
	d.content = appendNum(d.content, py-d.textY)
	d.content = append(d.content, " Td "...)
	d.textX, d.textY = px, py
	d.content = f.appendText(d.content, enc)
	d.content = append(d.content, " Tj\n"...)
}

func (d *document) endText() {
	if d.inText {
		d.content = append(d.content, "ET\n"...)
		d.inText = false
	}
}

// cell prints s in a box at (x, y) of width w and height h the way gofpdf's CellFormat does:
// vertically centred, aligned left, right ('R') or centred ('C') inside the cell margin.
func (d *document) cell(x, y, w, h float64, st style, size float64, s string, align byte) {
	f, enc := d.fonts.pick(st, s)
	d.cellIn(x, y, w, h, f, size, enc, align)
}

// cellIn is cell for text already encoded for font f.
func (d *document) cellIn(x, y, w, h float64, f *font, size float64, enc string, align byte) {
	if enc == "" {
		return
	}
	dx := cellMargin
	switch align {
	case 'R':
		dx = w - cellMargin - d.width(f, size, enc)
	case 'C':
		dx = (w - d.width(f, size, enc)) / 2
	}
	d.show(x+dx, baseline(y, h, size), f, size, enc)
}

// baseline is where gofpdf sets the text of a cell of height h whose top is at y.
func baseline(y, h, size float64) float64 { return y + h/2 + 0.3*size/pt }

// width is the width of enc in font f at size, in millimetres.
func (d *document) width(f *font, size float64, enc string) float64 {
	return float64(f.width(enc)) * size / 1000 / pt
}

// textWidth is the width s takes in style st at size, in millimetres.
func (d *document) textWidth(st style, size float64, s string) float64 {
	f, enc := d.fonts.pick(st, s)
	return d.width(f, size, enc)
}

// printPageCount draws the document's page count with its baseline at (x, y), at size in the
// regular core font: the count is written at the end, in a form every page refers to.
func (d *document) printPageCount(x, y, size float64) {
	d.endText()
	d.countSize = size
	d.content = append(d.content, "q 1 0 0 1 "...)
	d.content = appendNum(d.content, x*pt)
	d.content = append(d.content, ' ')
	d.content = appendNum(d.content, (pageHeight-y)*pt)
	d.content = append(d.content, " cm /N Do Q\n"...)
}

// setFill sets the colour of text and filled shapes.
func (d *document) setFill(c [3]uint8) {
	if c == d.fill {
		return
	}
	d.fill = c
	d.content = appendColor(d.content, c, "rg\n")
}

// fillRect paints a rectangle in colour c; the fill colour goes back to black for the text.
func (d *document) fillRect(x, y, w, h float64, c [3]uint8) {
	d.endText()
	d.setFill(c)
	d.content = appendNum(d.content, x*pt)
	d.content = append(d.content, ' ')
	d.content = appendNum(d.content, (pageHeight-y)*pt)
	d.content = append(d.content, ' ')
	d.content = appendNum(d.content, w*pt)
	d.content = append(d.content, ' ')
	d.content = appendNum(d.content, -h*pt)
	d.content = append(d.content, " re f\n"...)
	d.setFill([3]uint8{})
}

// hline strokes a horizontal line from (x1, y) to (x2, y) in colour c.
func (d *document) hline(x1, x2, y float64, c [3]uint8) {
	d.endText()
	if c != d.stroke {
		d.stroke = c
		d.content = appendColor(d.content, c, "RG\n")
	}
	py := (pageHeight - y) * pt
	d.content = appendNum(d.content, x1*pt)
	d.content = append(d.content, ' ')
	d.content = appendNum(d.content, py)
	d.content = append(d.content, " m "...)
	d.content = appendNum(d.content, x2*pt)
	d.content = append(d.content, ' ')
	d.content = appendNum(d.content, py)
	d.content = append(d.content, " l S\n"...)
}

func appendColor(b []byte, c [3]uint8, op string) []byte {
	for _, v := range c {
		b = appendNum(b, float64(v)/255)
		b = append(b, ' ')
	}
	return append(b, op...)
}

// appendNum appends v with at most three decimals and no trailing zeros. It works on thousandths
// as an integer: strconv's float formatting was a tenth of a statement's CPU.
func appendNum(b []byte, v float64) []byte {
	m := int64(math.Round(v * 1000))
	if m < 0 {
		b = append(b, '-')
		m = -m
	}
	b = strconv.AppendInt(b, m/1000, 10)
	if frac := m % 1000; frac != 0 {
		b = append(b, '.', byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
		for b[len(b)-1] == '0' {
			b = b[:len(b)-1]
		}
	}
	return b
}
