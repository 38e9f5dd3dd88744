package money

import (
	"errors"
	"testing"

	"github.com/shopspring/decimal"
)

// FuzzParse: Parse never panics, refuses with one of its two errors, and what it accepts is a
// positive amount with at most four places that fits numeric(20,4) and survives formatting.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"100", "100.00", "0.0001", "0.00001", "1.50000", "-1", "0", "1e3", " 7 ", "1.", ".5",
		"9999999999999999.9999", "99999999999999999", "NaN", "0x10", "1_000", "１２", "", "--1", "1.2.3"} {
		f.Add(s)
	}
	limit := decimal.New(1, 16)
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrFormat) && !errors.Is(err, ErrNotPositive) {
				t.Fatalf("Parse(%q): unexpected error %v", s, err)
			}
			return
		}
		if !d.IsPositive() || !d.Equal(d.Truncate(Scale)) || !d.LessThan(limit) {
			t.Fatalf("Parse(%q) accepted %s", s, d)
		}
		for _, text := range []string{d.String(), Format(d), d.StringFixed(Scale)} {
			again, err := Parse(text)
			if err != nil || !again.Equal(d) {
				t.Fatalf("Parse(%q) = %s, but Parse(%q) = %s, %v", s, d, text, again, err)
			}
		}
		var r Raw
		if err := r.UnmarshalJSON([]byte(d.String())); err != nil || string(r) != d.String() {
			t.Fatalf("Raw keeps %q as %q (%v)", d.String(), r, err)
		}
	})
}
