package pdf

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// A statement writes each page out when the next one starts: after thousands of rows it holds the
// page being laid out and the compressed pages before it, never the pages' content.
func TestPagesAreWrittenOutAsTheyFinish(t *testing.T) {
	const n = 3000
	amt := decimal.RequireFromString("1.25")
	sum := StatementSummary{Credits: amt.Mul(decimal.NewFromInt(n)), Closing: amt.Mul(decimal.NewFromInt(n)), CreditCount: n}
	s, err := NewStatement(StatementHeader{Partner: "Café", Cardholder: "Łukasz", Card: "4598", Currency: "GTQ",
		From: "2026-03-01", To: "2026-03-31", GeneratedAt: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)}, sum)
	if err != nil {
		t.Fatal(err)
	}
	bal := decimal.Zero
	written := 0
	for i := range n {
		bal = bal.Add(amt)
		if err := s.Add(StatementRow{At: time.Date(2026, 3, 1, 0, i, 0, 0, time.UTC), Type: "Load",
			Reference: fmt.Sprintf("R-%d", i), Description: "Depósito número " + fmt.Sprint(i), Credit: amt, Balance: bal}); err != nil {
			t.Fatal(err)
		}
		if len(s.d.content) > 64<<10 {
			t.Fatalf("row %d: the page being written holds %d bytes", i, len(s.d.content))
		}
		if size := s.d.w.n; size < int64(written) {
			t.Fatalf("the file shrank")
		} else {
			written = int(size)
		}
	}
	if len(s.d.pages) < 100 || s.d.w.n < int64(len(s.d.pages))*1000 {
		t.Fatalf("%d pages written out in %d bytes before the end", len(s.d.pages), s.d.w.n)
	}
	var buf bytes.Buffer
	if _, err := s.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	if int64(buf.Len()) != s.d.w.n || !bytes.HasSuffix(buf.Bytes(), []byte("%%EOF\n")) {
		t.Fatalf("WriteTo wrote %d of %d bytes", buf.Len(), s.d.w.n)
	}
}

// The embedded font keeps the outlines of the glyphs printed and of the glyphs they are built
// from, at their own numbers, and nothing else; the file's checksums are those TrueType requires.
func TestFontSubsetKeepsOnlyTheGlyphsUsed(t *testing.T) {
	f := regularFace()
	used := map[uint16]bool{f.glyph['Ł']: true, f.glyph['á']: true, f.glyph['x']: true}
	sub := f.subset(used)
	tables, err := readTables(sub)
	if err != nil {
		t.Fatal(err)
	}
	if got := checksum(sub); got != 0xB1B0AFBA {
		t.Fatalf("file checksum %08X", got)
	}
	for name, data := range tables {
		dir := bytes.Index(sub[:12+16*len(tables)], []byte(name))
		want := binary.BigEndian.Uint32(sub[dir+4:])
		if name != "head" && checksum(data) != want {
			t.Errorf("table %q checksum", name)
		}
	}
	s := &face{tables: tables}
	keep := map[int]bool{0: true}
	for g := range used {
		keep[int(g)] = true
		for _, c := range components(f.glyphBytes(int(g))) {
			keep[c] = true
		}
	}
	if len(keep) < 5 {
		t.Fatalf("no composite glyph among the used ones (%v): the test needs one", keep)
	}
	for g := range len(f.widths) {
		orig, _ := f.glyphBytes(g)
		got, ok := s.glyphBytes(g)
		if !ok {
			t.Fatalf("glyph %d missing from loca", g)
		}
		switch {
		case keep[g] && !bytes.Equal(bytes.TrimRight(got, "\x00"), bytes.TrimRight(orig, "\x00")):
			t.Errorf("glyph %d changed", g)
		case !keep[g] && len(got) != 0:
			t.Errorf("glyph %d kept (%d bytes)", g, len(got))
		}
	}
	if _, ok := tables["cmap"]; ok {
		t.Error("the subset keeps the character map a CID font does not use")
	}
}

func TestTextSplitsAtSpacesAndInsideLongWords(t *testing.T) {
	fs := newFonts()
	for _, tc := range []struct {
		text string
		max  int
		want []string
	}{
		{"", 1000, []string{""}},
		{"short", 100000, []string{"short"}},
		{"one two three", 3000, []string{"one", "two", "three"}},
		{"first\nsecond", 100000, []string{"first", "second"}},
		{"abcdefgh", 1700, []string{"abc", "def", "gh"}}, // 556 each in Helvetica
		{"Łódź Łódź", 2500, []string{"Łódź", "Łódź"}},
	} {
		f, enc := fs.pick(regular, tc.text)
		got := f.split(nil, enc, tc.max)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("split(%q, %d) = %q, want %q", tc.text, tc.max, got, tc.want)
		}
	}
}

func TestNumbersAreWrittenWithThreeDecimalsAtMost(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 1: "1", -1: "-1", 0.5: "0.5", 841.89: "841.89", 12.3456: "12.346",
		-0.0004: "0", -2.05: "-2.05", 0.001: "0.001", 1e6: "1000000"} {
		if got := string(appendNum(nil, v)); got != want {
			t.Errorf("appendNum(%v) = %q, want %q", v, got, want)
		}
	}
}
