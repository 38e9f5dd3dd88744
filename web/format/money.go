// Package format writes numbers, money, dates, countries and enum values the way people read them
// in the request's language and time zone, and reads the amounts operators type in the console.
// The API never goes through it: JSON keeps plain numbers, ISO dates and enum codes.
package format

import (
	"strings"

	"github.com/shopspring/decimal"

	"cardconsole/store/money"
)

// symbols are the currency signs people write before an amount; other currencies show their code.
var symbols = map[string]string{"GTQ": "Q", "USD": "US$", "EUR": "€", "MXN": "MX$", "HNL": "L", "CRC": "₡"}

// Symbol is the sign written before amounts of the currency (its ISO code when it has none).
func Symbol(currency string) string {
	if s, ok := symbols[currency]; ok {
		return s
	}
	return currency
}

// Money writes an amount with its currency sign and thousands separators: Q 250,000.00, US$ 1,250.50.
func Money(d decimal.Decimal, currency string) string {
	return Symbol(currency) + " " + Amount(d)
}

// Amount writes an amount with thousands separators and two to four decimal places: 250,000.00.
// Guatemala writes a comma between thousands and a point before decimals in both languages.
func Amount(d decimal.Decimal) string {
	s := money.Format(d)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return sign + b.String()
}
