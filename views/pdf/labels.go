package pdf

// Labels are the statement's words in one language. The handler fills them from the message
// catalogue; the zero value of StatementHeader.Labels prints English. The fields ending in Fmt are
// fmt formats whose verbs are given in their comments.
type Labels struct {
	Title            string
	Columns          [7]string // date and time, type, reference, description, debit, credit, balance
	NoMovements      string    // in the period
	NoneSelected     string    // in the selection (a page of the rows)
	TotalsFmt        string    // %d rows listed
	ContinuationFmt  string    // partner, cardholder, card, from, to, currency
	Partner          string
	Cardholder       string
	Card             string
	Currency         string
	Period           string
	PeriodFmt        string // from, to, time zone
	Generated        string
	GeneratedFmt     string // time, operator
	Opening          string
	TotalCreditsFmt  string // %d credits
	TotalDebitsFmt   string // %d debits
	Closing          string
	Equation         string
	FooterFmt        string // partner, card, time, operator
	PageFmt          string // page number %d, then the total page count %s
	TimeLayout       string // of the generation time, with the zone's abbreviation
	FooterTimeLayout string
}

// EnglishLabels are the statement's English words.
var EnglishLabels = Labels{
	Title:            "Card statement",
	Columns:          [7]string{"Date and time", "Type", "Reference", "Description / observations", "Debit", "Credit", "Balance"},
	NoMovements:      "There are no movements in this period.",
	NoneSelected:     "There are no movements in this selection.",
	TotalsFmt:        "Totals of the %d movements listed",
	ContinuationFmt:  "Card statement · %s · %s · card %s · %s to %s · %s",
	Partner:          "Partner",
	Cardholder:       "Cardholder",
	Card:             "Card",
	Currency:         "Currency",
	Period:           "Period",
	PeriodFmt:        "%s to %s (%s)",
	Generated:        "Generated",
	GeneratedFmt:     "%s by %s",
	Opening:          "Opening balance",
	TotalCreditsFmt:  "Total credits (%d)",
	TotalDebitsFmt:   "Total debits (%d)",
	Closing:          "Closing balance",
	Equation:         "Opening balance + total credits − total debits = closing balance",
	FooterFmt:        "%s · card %s · generated %s by %s",
	PageFmt:          "Page %d of %s",
	TimeLayout:       "2006-01-02 15:04:05 MST",
	FooterTimeLayout: "2006-01-02 15:04",
}

// labels are the words the statement prints: the header's, or English.
func (s *Statement) labels() *Labels {
	if s.h.Labels == nil {
		return &EnglishLabels
	}
	return s.h.Labels
}
