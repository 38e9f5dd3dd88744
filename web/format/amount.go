package format

import (
	"errors"
	"regexp"
	"strings"

	"github.com/shopspring/decimal"

	"cardconsole/store/money"
)

// ErrAmbiguous refuses an amount typed in a form that could be read two ways (12.500,00 or 1,25):
// the console asks for a comma between thousands and a point before decimals.
var ErrAmbiguous = errors.New("amount must be typed like 12,500.00: commas between thousands, a point before decimals")

// grouped is a whole part written with commas between thousands, optionally followed by decimals.
var grouped = regexp.MustCompile(`^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$`)

// ParseAmount reads an amount an operator typed in the console: 12,500.00, 12500 and 12500.5 are
// the same kind of number, a leading currency sign (Q, US$) is allowed, and any comma that is not
// a thousands separator (1,25 or 12.500,00) is refused with ErrAmbiguous rather than guessed.
// The errors of money.Parse (format, not positive) come through unchanged.
func ParseAmount(s string) (decimal.Decimal, error) {
	s = strings.TrimSpace(s)
	for _, sym := range []string{"US$", "Q", "$"} {
		if rest, ok := strings.CutPrefix(s, sym); ok {
			s = strings.TrimSpace(rest)
			break
		}
	}
	if strings.Contains(s, ",") {
		if !grouped.MatchString(s) {
			return decimal.Decimal{}, ErrAmbiguous
		}
		s = strings.ReplaceAll(s, ",", "")
	}
	return money.Parse(s)
}
