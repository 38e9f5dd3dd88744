package pdftest

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"cardconsole/views/pdf"
)

// YearRows is how many movements a busy card has in a year: the size docs/performance-reports.md
// records.
const YearRows = 100_000

// YearRow is movement i of a busy card's year (2025, one every 5 min 15 s, three loads for each
// unload, descriptions with accents and a dash) given the balance before it, and the balance after.
// The benchmarks generate the year row by row, as the store streams it.
func YearRow(i int, bal decimal.Decimal, loc *time.Location) (pdf.StatementRow, decimal.Decimal) {
	r := pdf.StatementRow{At: time.Date(2025, 1, 1, 0, 0, 0, 0, loc).Add(time.Duration(i) * 315 * time.Second),
		Type: "Load", Reference: fmt.Sprintf("HIST-%06d", i), Description: fmt.Sprintf("Movimiento de prueba número %d — año", i)}
	if i%4 == 3 {
		amt := decimal.NewFromFloat(5.5).Add(decimal.NewFromInt(int64(i % 13)))
		r.Type, r.Debit, bal = "Unload", amt, bal.Sub(amt)
	} else {
		amt := decimal.RequireFromString("10.25").Add(decimal.NewFromInt(int64(i % 97)))
		r.Credit, bal = amt, bal.Add(amt)
	}
	r.Balance = bal
	return r, bal
}

// YearSummary is the summary of the first n rows of YearRow, from an opening balance of zero.
func YearSummary(n int, loc *time.Location) pdf.StatementSummary {
	sum := pdf.StatementSummary{}
	bal := decimal.Zero
	for i := range n {
		var r pdf.StatementRow
		r, bal = YearRow(i, bal, loc)
		sum.Credits, sum.Debits = sum.Credits.Add(r.Credit), sum.Debits.Add(r.Debit)
		if r.Debit.IsPositive() {
			sum.DebitCount++
		} else {
			sum.CreditCount++
		}
	}
	sum.Closing = bal
	return sum
}
