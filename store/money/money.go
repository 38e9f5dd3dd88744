// Package money parses and formats amounts exactly: decimals with at most four places, never floats.
package money

import (
	"bytes"
	"errors"
	"regexp"
	"strings"

	"github.com/shopspring/decimal"
)

// Scale is the number of decimal places an amount may have.
const Scale = 4

func init() {
	// Amounts travel as JSON numbers written from their exact decimal text.
	decimal.MarshalJSONWithoutQuotes = true
}

// Errors of Parse; callers map them to the catalog codes 7001 and 7002.
var (
	ErrFormat      = errors.New("amount must be a decimal number with at most 4 decimal places")
	ErrNotPositive = errors.New("amount must be greater than zero")
)

var amountPattern = regexp.MustCompile(`^-?[0-9]{1,16}(\.[0-9]+)?$`)

// Parse reads a positive amount with at most four decimal places from its text.
func Parse(s string) (decimal.Decimal, error) {
	s = strings.TrimSpace(s)
	if !amountPattern.MatchString(s) {
		return decimal.Decimal{}, ErrFormat
	}
	if i := strings.IndexByte(s, '.'); i >= 0 && len(s)-i-1 > Scale {
		// Trailing zeros beyond the fourth place do not change the value.
		if strings.TrimRight(s[i+1+Scale:], "0") != "" {
			return decimal.Decimal{}, ErrFormat
		}
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, ErrFormat
	}
	if !d.IsPositive() {
		return decimal.Decimal{}, ErrNotPositive
	}
	return d, nil
}

// Raw is an amount as it came in JSON, a number or a string, kept as text so that it is never
// rounded through a float. An absent field leaves it empty.
type Raw string

// UnmarshalJSON keeps the literal text of a number, or the content of a string.
func (r *Raw) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*r = ""
		return nil
	}
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		*r = Raw(b[1 : len(b)-1])
		return nil
	}
	*r = Raw(b)
	return nil
}

// Format writes an amount with two to four decimal places, for people.
func Format(d decimal.Decimal) string {
	s := d.StringFixed(Scale)
	s = strings.TrimRight(s, "0")
	if i := strings.IndexByte(s, '.'); i >= 0 && len(s)-i-1 < 2 {
		s += strings.Repeat("0", 2-(len(s)-i-1))
	}
	return s
}
