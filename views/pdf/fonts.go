package pdf

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// style is regular or bold.
type style uint8

const (
	regular style = iota
	bold
)

// font is one font of a document. Text that Windows-1252 can encode (English and Spanish, with
// their accents, ñ, ¿¡, dashes and the bullet) is set in the core font Helvetica, which every
// reader has and which costs one byte a character and nothing in the file; any other text (Ł,
// Greek, Cyrillic, the minus sign) in DejaVu Sans, embedded with only the glyphs used.
type font struct {
	res    string          // resource name in the page's /Font dictionary
	base   string          // a core font's name
	core   *[256]uint16    // widths of a core font; nil for a TrueType one
	face   func() *face    // the TrueType font
	used   map[uint16]bool // glyphs printed, for the subset
	runes  []bool          // characters printed, by rune, for the widths array
	object int             // the font's object number, once the document has used it
}

// fonts are the four a document may use; the TrueType ones are written only when used.
type fonts struct {
	core    [2]*font
	unicode [2]*font
}

func newFonts() *fonts {
	return &fonts{
		core: [2]*font{{res: "H", base: "Helvetica", core: &helveticaWidths},
			{res: "HB", base: "Helvetica-Bold", core: &helveticaBoldWidths}},
		unicode: [2]*font{{res: "U", face: regularFace, used: map[uint16]bool{}},
			{res: "UB", face: boldFace, used: map[uint16]bool{}}},
	}
}

// pick returns the font s is set in, and s as that font encodes it: Windows-1252 bytes for the
// core font, the text itself for the TrueType one.
func (fs *fonts) pick(st style, s string) (*font, string) {
	if enc, ok := winAnsi(s); ok {
		return fs.core[st], enc
	}
	return fs.unicode[st], s
}

// winAnsi encodes s in Windows-1252 when every character has a code there.
func winAnsi(s string) (string, bool) {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s, true
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		c, ok := charmap.Windows1252.EncodeRune(r)
		if !ok {
			return "", false
		}
		b = append(b, c)
	}
	return string(b), true
}

// width is the advance of enc in thousandths of the font size.
func (f *font) width(enc string) int {
	w := 0
	if f.core != nil {
		for i := 0; i < len(enc); i++ {
			w += int(f.core[enc[i]])
		}
		return w
	}
	fc := f.face()
	for _, r := range enc {
		w += fc.width(r)
	}
	return w
}

// appendText appends enc as a PDF string in this font, noting the glyphs a TrueType font prints.
func (f *font) appendText(b []byte, enc string) []byte {
	if f.core != nil {
		b = append(b, '(')
		for i := 0; i < len(enc); i++ {
			switch c := enc[i]; c {
			case '(', ')', '\\':
				b = append(b, '\\', c)
			case '\r':
				b = append(b, '\\', 'r')
			default:
				b = append(b, c)
			}
		}
		return append(b, ')')
	}
	fc := f.face()
	if f.runes == nil {
		f.runes = make([]bool, 0x10000)
	}
	b = append(b, '<')
	for _, r := range enc {
		if r > 0xFFFF {
			r = '?'
		}
		f.runes[r] = true
		f.used[fc.glyph[r]] = true
		b = appendHex16(b, uint16(r))
	}
	return append(b, '>')
}

// write writes the font's objects: a core font's dictionary, or a TrueType font as a composite
// (Type0) font whose character ids are the Unicode code points, with the subset of its glyphs,
// their widths and the map back to Unicode for copying and searching.
func (f *font) write(w *writer) {
	if f.core != nil {
		w.object(f.object, "<</Type /Font /Subtype /Type1 /BaseFont /"+f.base+" /Encoding /WinAnsiEncoding>>")
		return
	}
	fc := f.face()
	base := "CCSUB" + string(rune('A'+len(f.res))) + "+" + fc.name // a subset's tag: six capitals
	cid, desc, file, toUni, cidMap := w.reserve(), w.reserve(), w.reserve(), w.reserve(), w.reserve()
	w.object(f.object, "<</Type /Font /Subtype /Type0 /BaseFont /"+base+" /Encoding /Identity-H /DescendantFonts ["+
		ref(cid)+"] /ToUnicode "+ref(toUni)+">>")
	var widths strings.Builder
	for r, used := range f.runes {
		if used {
			widths.WriteString(strconv.Itoa(r) + " [" + strconv.Itoa(fc.width(rune(r))) + "] ")
		}
	}
	w.object(cid, "<</Type /Font /Subtype /CIDFontType2 /BaseFont /"+base+
		" /CIDSystemInfo <</Registry (Adobe) /Ordering (Identity) /Supplement 0>> /FontDescriptor "+ref(desc)+
		" /DW "+strconv.Itoa(int(fc.widths[0]))+" /W ["+widths.String()+"] /CIDToGIDMap "+ref(cidMap)+">>")
	flags := "32"
	if f.res == "UB" {
		flags = "262176" // nonsymbolic and bold
	}
	w.object(desc, "<</Type /FontDescriptor /FontName /"+base+" /Flags "+flags+" /FontBBox ["+
		strconv.Itoa(fc.bbox[0])+" "+strconv.Itoa(fc.bbox[1])+" "+strconv.Itoa(fc.bbox[2])+" "+strconv.Itoa(fc.bbox[3])+
		"] /ItalicAngle 0 /Ascent "+strconv.Itoa(fc.ascent)+" /Descent "+strconv.Itoa(fc.descent)+
		" /CapHeight "+strconv.Itoa(fc.capHeight)+" /StemV 80 /MissingWidth "+strconv.Itoa(int(fc.widths[0]))+
		" /FontFile2 "+ref(file)+">>")
	program := fc.subset(f.used)
	w.stream(file, " /Length1 "+strconv.Itoa(len(program)), program)
	w.stream(toUni, "", []byte(identityToUnicode))
	w.compressed(cidMap, "", fc.cidToGID)
}

// identityToUnicode is the ToUnicode map of a font whose character ids are the code points of the
// Basic Multilingual Plane (surrogates excepted): each id stands for itself.
var identityToUnicode = func() string {
	var b strings.Builder
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo <</Registry (Adobe) /Ordering (UCS) /Supplement 0>> def\n/CMapName /Adobe-Identity-UCS def\n" +
		"/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	var blocks []int
	for hi := range 256 {
		if hi < 0xD8 || hi > 0xDF {
			blocks = append(blocks, hi)
		}
	}
	for len(blocks) > 0 {
		n := min(100, len(blocks)) // at most 100 entries per section
		b.WriteString(strconv.Itoa(n) + " beginbfrange\n")
		for _, hi := range blocks[:n] {
			lo, high := string(appendHex16(nil, uint16(hi<<8))), string(appendHex16(nil, uint16(hi<<8|0xFF)))
			b.WriteString("<" + lo + "> <" + high + "> <" + lo + ">\n")
		}
		b.WriteString("endbfrange\n")
		blocks = blocks[n:]
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return b.String()
}()

// split breaks enc (encoded for f) into the lines that fit in max thousandths of the font size:
// at line breaks, then at the last space that fits, and inside a word only when the word alone is
// wider than the line. The lines are appended to dst and share enc's memory.
func (f *font) split(dst []string, enc string, max int) []string {
	if f.core != nil && f.fitsOneLine(enc, max) {
		return append(dst, enc)
	}
	start, space, w := 0, -1, 0
	for i := 0; i < len(enc); {
		c, n := enc[i], 1
		var cw int
		if f.core != nil {
			cw = int(f.core[c])
		} else {
			var r rune
			r, n = utf8.DecodeRuneInString(enc[i:])
			cw = f.face().width(r)
		}
		switch {
		case c == '\n':
			dst = append(dst, enc[start:i])
			start, space, w = i+1, -1, 0
		case w+cw > max && i > start:
			if c == ' ' {
				space = i
			}
			if space > start {
				dst = append(dst, enc[start:space])
				start = space + 1
			} else {
				dst = append(dst, enc[start:i])
				start = i
			}
			i, space, w = start, -1, 0
			continue
		default:
			if c == ' ' {
				space = i
			}
			w += cw
		}
		i += n
	}
	return append(dst, enc[start:])
}

// fitsOneLine reports whether enc, encoded for a core font, has no line break and fits in max: most
// cells of a statement, which then need no search for where to break.
func (f *font) fitsOneLine(enc string, max int) bool {
	w := 0
	for i := 0; i < len(enc); i++ {
		if enc[i] == '\n' {
			return false
		}
		if w += int(f.core[enc[i]]); w > max {
			return false
		}
	}
	return true
}

// ellipsis is "[…]" in f's encoding: it ends a cell cut short.
func (f *font) ellipsis() string {
	if f.core != nil {
		return "[\x85]"
	}
	return "[…]"
}
