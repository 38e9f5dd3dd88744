package pdf

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"sync"
)

// face is an embedded TrueType font, parsed once per process: what a document needs to measure
// text set in it, map characters to glyphs, and embed the glyphs it used.
type face struct {
	name       string // PostScript name
	tables     map[string][]byte
	unitsPerEm int
	bbox       [4]int // xMin yMin xMax yMax, in thousandths of the size
	ascent     int
	descent    int
	capHeight  int
	glyph      []uint16 // by rune of the Basic Multilingual Plane; 0 when the font has no glyph
	widths     []uint16 // by glyph, in thousandths of the size
	// cidToGID is the zlib-compressed CIDToGIDMap stream: a document's character ids are the
	// runes themselves, so the text layer keeps every character even when the font lacks its glyph.
	cidToGID []byte
}

// width is the advance of r in thousandths of the size.
func (f *face) width(r rune) int {
	if r > 0xFFFF {
		r = '?'
	}
	return int(f.widths[f.glyph[r]])
}

// regularFace and boldFace are DejaVu Sans and DejaVu Sans Bold.
var regularFace, boldFace = lazyFace("DejaVuSans", dejaVuSans), lazyFace("DejaVuSans-Bold", dejaVuSansBold)

// lazyFace parses a font the first time a document needs it: a statement whose text is all
// Windows-1252 never does.
func lazyFace(name string, data []byte) func() *face {
	return sync.OnceValue(func() *face {
		f, err := parseFace(name, data)
		if err != nil {
			panic(err) // the fonts are embedded in the binary: a parse failure is a build defect
		}
		return f
	})
}

var errFont = errors.New("pdf: malformed TrueType font")

// parseFace reads the tables of a TrueType font that PDF embedding needs.
func parseFace(name string, data []byte) (*face, error) {
	tables, err := readTables(data)
	if err != nil {
		return nil, err
	}
	f := &face{name: name, tables: tables}
	head, hhea, maxp, hmtx, cmap := f.tables["head"], f.tables["hhea"], f.tables["maxp"], f.tables["hmtx"], f.tables["cmap"]
	if len(head) < 54 || len(hhea) < 36 || len(maxp) < 6 || hmtx == nil || cmap == nil || f.tables["glyf"] == nil || f.tables["loca"] == nil {
		return nil, fmt.Errorf("%w: %s lacks a table", errFont, name)
	}
	f.unitsPerEm = int(binary.BigEndian.Uint16(head[18:]))
	scale := func(v int16) int { return int(v) * 1000 / f.unitsPerEm }
	for i := range 4 {
		f.bbox[i] = scale(int16(binary.BigEndian.Uint16(head[36+2*i:])))
	}
	f.ascent, f.descent = scale(int16(binary.BigEndian.Uint16(hhea[4:]))), scale(int16(binary.BigEndian.Uint16(hhea[6:])))
	glyphs := int(binary.BigEndian.Uint16(maxp[4:]))
	metrics := int(binary.BigEndian.Uint16(hhea[34:]))
	if metrics == 0 || metrics > glyphs || len(hmtx) < 4*metrics {
		return nil, fmt.Errorf("%w: %s metrics", errFont, name)
	}
	f.widths = make([]uint16, glyphs)
	for g := range glyphs {
		adv := binary.BigEndian.Uint16(hmtx[4*min(g, metrics-1):])
		f.widths[g] = uint16((int(adv)*1000 + f.unitsPerEm/2) / f.unitsPerEm)
	}
	if f.glyph, err = parseCmap(cmap, glyphs); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", errFont, name, err)
	}
	f.capHeight = f.ascent
	if box, ok := f.glyphData('H'); ok && len(box) >= 10 {
		f.capHeight = scale(int16(binary.BigEndian.Uint16(box[8:])))
	}
	raw := make([]byte, 2*len(f.glyph))
	for r, g := range f.glyph {
		binary.BigEndian.PutUint16(raw[2*r:], g)
	}
	f.cidToGID = deflate(raw)
	return f, nil
}

// readTables reads a TrueType file's table directory.
func readTables(data []byte) (map[string][]byte, error) {
	if len(data) < 12 {
		return nil, errFont
	}
	tables := map[string][]byte{}
	for i := range int(binary.BigEndian.Uint16(data[4:])) {
		if len(data) < 28+16*i {
			return nil, errFont
		}
		rec := data[12+16*i:]
		off, length := binary.BigEndian.Uint32(rec[8:]), binary.BigEndian.Uint32(rec[12:])
		if uint64(off)+uint64(length) > uint64(len(data)) {
			return nil, errFont
		}
		tables[string(rec[:4])] = data[off : off+length]
	}
	return tables, nil
}

// parseCmap reads the Unicode BMP subtable (platform 3, encoding 1, format 4) into a table by rune.
func parseCmap(cmap []byte, glyphs int) ([]uint16, error) {
	if len(cmap) < 4 {
		return nil, errFont
	}
	var sub []byte
	for i := range int(binary.BigEndian.Uint16(cmap[2:])) {
		rec := cmap[4+8*i:]
		if len(rec) < 8 {
			return nil, errFont
		}
		off := binary.BigEndian.Uint32(rec[4:])
		if binary.BigEndian.Uint16(rec) == 3 && binary.BigEndian.Uint16(rec[2:]) == 1 && int(off)+14 <= len(cmap) &&
			binary.BigEndian.Uint16(cmap[off:]) == 4 {
			sub = cmap[off:]
		}
	}
	if sub == nil {
		return nil, errors.New("no Unicode BMP cmap")
	}
	segs := int(binary.BigEndian.Uint16(sub[6:])) / 2
	if len(sub) < 16+8*segs {
		return nil, errFont
	}
	ends, starts, deltas, ranges := sub[14:], sub[16+2*segs:], sub[16+4*segs:], sub[16+6*segs:]
	table := make([]uint16, 0x10000)
	for s := range segs {
		end, start := int(binary.BigEndian.Uint16(ends[2*s:])), int(binary.BigEndian.Uint16(starts[2*s:]))
		delta, rangeOff := binary.BigEndian.Uint16(deltas[2*s:]), int(binary.BigEndian.Uint16(ranges[2*s:]))
		for c := start; c <= end && c < 0xFFFF; c++ {
			g := uint16(c) + delta
			if rangeOff != 0 {
				at := 2*s + rangeOff + 2*(c-start)
				if at+2 > len(ranges) {
					return nil, errFont
				}
				if g = binary.BigEndian.Uint16(ranges[at:]); g != 0 {
					g += delta
				}
			}
			if int(g) < glyphs {
				table[c] = g
			}
		}
	}
	return table, nil
}

// glyphData is the glyf entry of r's glyph.
func (f *face) glyphData(r rune) ([]byte, bool) {
	return f.glyphBytes(int(f.glyph[r]))
}

func (f *face) glyphBytes(g int) ([]byte, bool) {
	loca, glyf := f.tables["loca"], f.tables["glyf"]
	var from, to int
	if binary.BigEndian.Uint16(f.tables["head"][50:]) == 0 {
		if 2*g+4 > len(loca) {
			return nil, false
		}
		from, to = 2*int(binary.BigEndian.Uint16(loca[2*g:])), 2*int(binary.BigEndian.Uint16(loca[2*g+2:]))
	} else {
		if 4*g+8 > len(loca) {
			return nil, false
		}
		from, to = int(binary.BigEndian.Uint32(loca[4*g:])), int(binary.BigEndian.Uint32(loca[4*g+4:]))
	}
	if from > to || to > len(glyf) {
		return nil, false
	}
	return glyf[from:to], true
}

// subset is the font program with only the given glyphs (and the glyphs they are composed of)
// kept: the others keep their number but lose their outline, so character ids still map to the
// same glyph numbers. Tables a PDF reader does not use for a CID font (names, kerning, layout,
// the character map) are left out.
func (f *face) subset(used map[uint16]bool) []byte {
	keep := map[int]bool{0: true}
	var add func(g int)
	add = func(g int) {
		if keep[g] {
			return
		}
		keep[g] = true
		for _, c := range components(f.glyphBytes(g)) {
			add(c)
		}
	}
	for g := range used {
		add(int(g))
	}
	glyphs := len(f.widths)
	var glyf []byte
	loca := make([]byte, 4*(glyphs+1))
	for g := range glyphs {
		binary.BigEndian.PutUint32(loca[4*g:], uint32(len(glyf)))
		if keep[g] {
			if b, ok := f.glyphBytes(g); ok {
				glyf = append(glyf, b...)
				for len(glyf)%4 != 0 {
					glyf = append(glyf, 0)
				}
			}
		}
	}
	binary.BigEndian.PutUint32(loca[4*glyphs:], uint32(len(glyf)))
	head := bytes.Clone(f.tables["head"])
	binary.BigEndian.PutUint32(head[8:], 0)  // checkSumAdjustment, recomputed below
	binary.BigEndian.PutUint16(head[50:], 1) // long offsets in loca
	tables := map[string][]byte{"head": head, "loca": loca, "glyf": glyf}
	for _, name := range []string{"hhea", "hmtx", "maxp", "OS/2", "cvt ", "fpgm", "prep"} {
		if t, ok := f.tables[name]; ok {
			tables[name] = t
		}
	}
	return assembleFont(tables)
}

// components lists the glyphs a composite glyph is built from.
func components(g []byte, ok bool) []int {
	if !ok || len(g) < 10 || int16(binary.BigEndian.Uint16(g)) >= 0 {
		return nil
	}
	var out []int
	for p := 10; p+4 <= len(g); {
		flags := binary.BigEndian.Uint16(g[p:])
		out = append(out, int(binary.BigEndian.Uint16(g[p+2:])))
		p += 4
		if flags&0x1 != 0 { // arguments are words
			p += 4
		} else {
			p += 2
		}
		switch {
		case flags&0x8 != 0: // one scale
			p += 2
		case flags&0x40 != 0: // x and y scales
			p += 4
		case flags&0x80 != 0: // a two by two matrix
			p += 8
		}
		if flags&0x20 == 0 { // no more components
			break
		}
	}
	return out
}

// assembleFont writes a TrueType file from its tables, with their checksums and the head's
// checksum adjustment.
func assembleFont(tables map[string][]byte) []byte {
	names := make([]string, 0, len(tables))
	for name := range tables {
		names = append(names, name)
	}
	sort.Strings(names)
	n := len(names)
	entrySelector := 0
	for 1<<(entrySelector+1) <= n {
		entrySelector++
	}
	out := make([]byte, 12+16*n)
	binary.BigEndian.PutUint32(out, 0x00010000)
	binary.BigEndian.PutUint16(out[4:], uint16(n))
	binary.BigEndian.PutUint16(out[6:], uint16(16<<entrySelector))
	binary.BigEndian.PutUint16(out[8:], uint16(entrySelector))
	binary.BigEndian.PutUint16(out[10:], uint16(16*n-16<<entrySelector))
	headAt := 0
	for i, name := range names {
		t := tables[name]
		rec := out[12+16*i:]
		copy(rec, name)
		binary.BigEndian.PutUint32(rec[4:], checksum(t))
		binary.BigEndian.PutUint32(rec[8:], uint32(len(out)))
		binary.BigEndian.PutUint32(rec[12:], uint32(len(t)))
		if name == "head" {
			headAt = len(out)
		}
		out = append(out, t...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	binary.BigEndian.PutUint32(out[headAt+8:], 0xB1B0AFBA-checksum(out))
	return out
}

func checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var word [4]byte
		copy(word[:], b[i:])
		sum += binary.BigEndian.Uint32(word[:])
	}
	return sum
}

// deflate compresses b for a FlateDecode stream.
func deflate(b []byte) []byte {
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}
