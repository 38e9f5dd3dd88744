package export

import (
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"cardconsole/store/money"
)

// Cell is one value of a row: text, or a number that an XLSX keeps as a number.
type Cell struct {
	text   string
	number bool
	int    int64
	dec    decimal.Decimal
	isDec  bool
}

// Text is a text cell. A text that a spreadsheet would read as a formula (it starts with = + - @,
// a tab or a line break) is written with a leading apostrophe, in both formats, so that opening
// the file never runs what someone typed (OWASP "CSV injection").
func Text(s string) Cell { return Cell{text: Neutralise(s)} }

// Int is a whole number.
func Int(n int64) Cell { return Cell{number: true, int: n, text: strconv.FormatInt(n, 10)} }

// OptInt is a whole number, or an empty cell for nil.
func OptInt(n *int64) Cell {
	if n == nil {
		return Cell{}
	}
	return Int(*n)
}

// Amount is an exact amount of money: written with at least two decimals in CSV (money.Format,
// as the statement CSV writes it), as a number in XLSX.
func Amount(d decimal.Decimal) Cell {
	return Cell{number: true, dec: d, isDec: true, text: money.Format(d)}
}

// OptAmount is Amount, or an empty cell when the amount is not set.
func OptAmount(d decimal.NullDecimal) Cell {
	if !d.Valid {
		return Cell{}
	}
	return Amount(d.Decimal)
}

// Time is an instant in the time zone loc, written as RFC 3339 with its offset
// (2026-03-01T09:30:00-06:00), the form every script and spreadsheet reads.
func Time(t time.Time, loc *time.Location) Cell {
	if t.IsZero() {
		return Cell{}
	}
	return Cell{text: t.In(loc).Format(time.RFC3339)}
}

// OptTime is Time, or an empty cell for nil.
func OptTime(t *time.Time, loc *time.Location) Cell {
	if t == nil {
		return Cell{}
	}
	return Time(*t, loc)
}

// OptText is Text, or an empty cell for nil.
func OptText(s *string) Cell {
	if s == nil {
		return Cell{}
	}
	return Text(*s)
}

// Neutralise prefixes a text that a spreadsheet would take for a formula with an apostrophe.
func Neutralise(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r\n", rune(s[0])) {
		return "'" + s
	}
	return s
}

func (c Cell) csv() string { return c.text }

func (c Cell) xlsx() any {
	switch {
	case !c.number:
		if c.text == "" {
			return nil
		}
		return c.text
	case c.isDec:
		return c.dec.InexactFloat64()
	}
	return c.int
}
