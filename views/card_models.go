package views

import (
	"context"
	"fmt"
	"net/url"
	"time"
	_ "time/tzdata" // partners' time zones, whatever the host has installed

	"github.com/shopspring/decimal"

	"cardconsole/store"
	"cardconsole/web/format"
	"cardconsole/web/i18n"
)

// CardURL is the path of a page or route of one card of a cardholder.
func CardURL(partnerID, holderID, cardID int64, rest string) string {
	return PartnerURL(partnerID, fmt.Sprintf("/cardholders/%d/cards/%d%s", holderID, cardID, rest))
}

// HolderURL is the path of a cardholder's page or route.
func HolderURL(partnerID, holderID int64, rest string) string {
	return PartnerURL(partnerID, fmt.Sprintf("/cardholders/%d%s", holderID, rest))
}

// Money formats an amount with its currency sign: Q 250,000.00, US$ 1,250.50.
func Money(d decimal.Decimal, currency string) string { return format.Money(d, currency) }

// LocalTime formats a time in the request's language and the partner's time zone, which
// statements and date filters follow (zone is the partner's, for screens outside its scope).
func LocalTime(ctx context.Context, t time.Time, zone string) string {
	l := i18n.From(ctx)
	l.Zone = format.Zone(zone)
	return format.DateTime(i18n.WithLocale(ctx, l), t)
}

// CardView is the card page: the card with its balance and status, the cardholder's other cards, the
// partner's available balance, the funds forms and the movements.
type CardView struct {
	Partner    store.Partner
	Available  store.Balance
	HolderID   int64
	HolderName string
	Card       store.Card
	Cards      []store.Card // all the cardholder's cards, this one included
	Funds      FundsForms
	Movements  *MovementsView // nil without card-movements:list
	Life       CardLifeView   // the card's history, Cancel and Replace
}

// FundsForms are the Load, Unload and Transfer forms of a card, with the outcome of the last
// operation above them.
type FundsForms struct {
	PartnerID   int64
	HolderID    int64
	Card        store.Card
	Others      []store.Card // the cardholder's other ACTIVE cards: where a transfer may go
	Key         string       // the Idempotency-Key the next operation is sent with
	CanLoad     bool
	CanUnload   bool
	CanTransfer bool
	Active      string // the form the values and errors belong to: add, withdraw or transfer
	Amount      string
	Note        string
	ToCardID    int64
	Errors      map[string]string
	Outcome     *FundsOutcome
}

// Any reports whether the operator may use at least one form.
func (f FundsForms) Any() bool { return f.CanLoad || f.CanUnload || f.CanTransfer }

// value returns the submitted value of a field when it belongs to form op.
func (f FundsForms) value(op, v string) string {
	if f.Active == op {
		return v
	}
	return ""
}

// errs returns the field errors when they belong to form op.
func (f FundsForms) errs(op string) map[string]string {
	if f.Active == op {
		return f.Errors
	}
	return nil
}

// FundsOutcome is what an operation did: shown after it applied, or after a replay of it.
type FundsOutcome struct {
	Operation string // ADD_FUNDS, WITHDRAW_FUNDS or TRANSFER
	Amount    decimal.Decimal
	Currency  string
	CardID    int64
	Balance   decimal.Decimal
	ToCardID  int64
	ToBalance decimal.Decimal
	Replayed  bool // the request had been applied before: nothing moved this time
}

// FundsReview is the confirmation step: the operation and the balances it will leave.
type FundsReview struct {
	Forms         FundsForms // the card, the key and the values to send
	Operation     string     // add, withdraw or transfer
	Amount        decimal.Decimal
	Note          string
	ToCard        store.Card
	PartnerBefore decimal.Decimal
	PartnerAfter  decimal.Decimal
	CardAfter     decimal.Decimal
	ToAfter       decimal.Decimal
	Problem       string // why it cannot be confirmed now; empty when it can
	NeedsOTP      bool
}

// ConfirmPath is the route the confirmation posts to.
func (r FundsReview) ConfirmPath() string {
	switch r.Operation {
	case "withdraw":
		return HolderURL(r.Forms.PartnerID, r.Forms.HolderID, "/cards/funds/withdraw")
	case "transfer":
		return HolderURL(r.Forms.PartnerID, r.Forms.HolderID, "/cards/transfers")
	}
	return HolderURL(r.Forms.PartnerID, r.Forms.HolderID, "/cards/funds/add")
}

// MovementsView is a page of a card's movements with its filter.
type MovementsView struct {
	PartnerID int64
	HolderID  int64
	CardID    int64
	TimeZone  string
	Rows      []store.MovementRow
	Filter    store.MovementFilter
	Pager     Pager
	Errors    map[string]string
	Statement StatementPanelView // the period's totals and downloads
}

// Path is the movements route of the card.
func (m MovementsView) Path() string { return CardURL(m.PartnerID, m.HolderID, m.CardID, "/movements") }

// Query is the current filter and sort as query values.
func (m MovementsView) Query() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"from": m.Filter.From, "to": m.Filter.To, "sortBy": m.Filter.SortBy, "sortOrder": m.Filter.SortOrder} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// SelfURL is the address of the current page of the table, to reload it when the card changes.
func (m MovementsView) SelfURL() string { return m.Pager.URL(m.Pager.Page) }

// SortURL is the address of the table sorted by the column of s, back on page one.
func (m MovementsView) SortURL(s SortLink) string {
	q := m.Query()
	q.Set("sortBy", s.Column)
	q.Set("sortOrder", s.NextOrder())
	return WithQuery(m.Path(), q)
}

// Sort is the header state of a sortable column.
func (m MovementsView) Sort(label, column string) SortLink {
	return SortLink{Label: label, Column: column, Sort: m.Filter.SortBy, Order: m.Filter.SortOrder}
}

// MovementDetailView is one movement of a card.
type MovementDetailView struct {
	PartnerID int64
	HolderID  int64
	TimeZone  string
	Movement  store.MovementRow
	CanRevert bool // the operator may request a reversal of this movement's operation
}

// signed shows a movement's amount with its direction.
func signed(m store.Movement) string {
	if m.Direction == "DEBIT" {
		return "−" + Amount(m.Amount)
	}
	return "+" + Amount(m.Amount)
}

// outcomeText describes an operation that applied.
func outcomeText(ctx context.Context, o FundsOutcome, last4 func(int64) string) string {
	data := map[string]any{"Amount": Money(o.Amount, o.Currency), "Last4": last4(o.CardID), "Balance": Money(o.Balance, o.Currency)}
	switch o.Operation {
	case store.MovementWithdrawFunds:
		return i18n.T(ctx, "funds.outcome_withdraw", data)
	case "TRANSFER":
		data["ToLast4"], data["ToBalance"] = last4(o.ToCardID), Money(o.ToBalance, o.Currency)
		return i18n.T(ctx, "funds.outcome_transfer", data)
	}
	return i18n.T(ctx, "funds.outcome_add", data)
}

// reviewLabel is the button that opens the review of an operation (add, withdraw or transfer).
func reviewLabel(ctx context.Context, op string) string {
	switch op {
	case "withdraw":
		return i18n.T(ctx, "funds.review_withdraw")
	case "transfer":
		return i18n.T(ctx, "funds.review_transfer")
	}
	return i18n.T(ctx, "funds.review_add")
}

// signedMoney shows a movement's amount with its direction and currency sign: −Q 12.50.
func signedMoney(m store.Movement) string {
	if m.Direction == "DEBIT" {
		return "−" + Money(m.Amount, m.Currency)
	}
	return "+" + Money(m.Amount, m.Currency)
}

// last4Of finds a card's last four digits among cards.
func last4Of(cards []store.Card, card store.Card) func(int64) string {
	return func(id int64) string {
		if id == card.ID {
			return card.Last4
		}
		for _, c := range cards {
			if c.ID == id {
				return c.Last4
			}
		}
		return "????"
	}
}
