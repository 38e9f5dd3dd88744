package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/shopspring/decimal"

	"cardconsole/store/money"
)

// AuditAllOK is the audit's whole result when nothing is wrong.
const AuditAllOK = "All OK"

// RequestAudit is the outcome of auditing a request: one line per discrepancy, or AuditAllOK.
type RequestAudit struct {
	RequestID int64
	ClientID  int64
	Result    []string
	Findings  []AuditFinding // the discrepancies of Result, for the console to say in words
}

// AuditFinding is one discrepancy an audit found: what kind, the card and numbers it is about, and
// its English line as the API and the audit log keep it.
type AuditFinding struct {
	Kind     string                     `json:"kind"` // balance_vs_movements, balance_vs_last, broken_chain, card_gone, card_inactive, short_withdrawal, short_transfer, short_deposit
	Data     map[string]any             `json:"data,omitempty"`
	Amounts  map[string]decimal.Decimal `json:"amounts,omitempty"`
	Currency string                     `json:"currency,omitempty"`
	Line     string                     `json:"-"`
}

// lines are the findings' English lines.
func lines(fs []AuditFinding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Line
	}
	return out
}

// auditedCard is a card of the client with its stored balance and what its movements say.
type auditedCard struct {
	ID           int64               `db:"id"`
	Last4        string              `db:"last4"`
	Status       string              `db:"status"`
	Balance      decimal.Decimal     `db:"balance"`
	Currency     string              `db:"currency"`
	Movements    int                 `db:"movements"`
	Net          decimal.Decimal     `db:"net"`
	LastBalance  decimal.NullDecimal `db:"last_balance"`
	BrokenLinks  int                 `db:"broken_links"`
	FirstBreakID *int64              `db:"first_break_id"`
}

func (c auditedCard) label() string { return "Card ••••" + c.Last4 }

// AuditClientRequest checks the client's cards before a decision: every card's balance is
// recomputed from its movements (their credits minus debits, the balance the last one left, and
// the chain of balances from one movement to the next) and compared with the stored balance, and
// the request's amount is compared with the money available for it. The run is written to the
// request's history.
func (s *Store) AuditClientRequest(ctx context.Context, actor Actor, v Viewer, id int64) (RequestAudit, error) {
	r, err := s.ClientRequestByID(ctx, v, id)
	if err != nil {
		return RequestAudit{}, err
	}
	var cards []auditedCard
	err = s.db.SelectContext(ctx, &cards, `
		SELECT c.id, c.last4, c.status, a.balance, a.currency,
		       (SELECT count(*) FROM movements m WHERE m.account_id = a.id) AS movements,
		       (SELECT COALESCE(sum(CASE m.direction WHEN 'CREDIT' THEN m.amount ELSE -m.amount END), 0)
		        FROM movements m WHERE m.account_id = a.id) AS net,
		       (SELECT m.balance_after FROM movements m WHERE m.account_id = a.id ORDER BY m.id DESC LIMIT 1) AS last_balance,
		       chain.broken AS broken_links, chain.first_id AS first_break_id
		FROM cards c
		JOIN accounts a ON a.id = c.account_id
		CROSS JOIN LATERAL (
		    SELECT count(*) AS broken, min(x.id) AS first_id FROM (
		        SELECT m.id, m.balance_after,
		               COALESCE(lag(m.balance_after) OVER (ORDER BY m.id), 0)
		                 + CASE m.direction WHEN 'CREDIT' THEN m.amount ELSE -m.amount END AS expected
		        FROM movements m WHERE m.account_id = a.id) x
		    WHERE x.balance_after <> x.expected) chain
		WHERE c.cardholder_id = $1 AND c.partner_id = $2
		ORDER BY c.id`, r.ClientID, r.PartnerID)
	if err != nil {
		return RequestAudit{}, fmt.Errorf("store: unable to audit cards: %w", err)
	}
	var findings []AuditFinding
	for _, c := range cards {
		findings = append(findings, c.discrepancies()...)
	}
	more, err := s.amountDiscrepancies(ctx, r, cards)
	if err != nil {
		return RequestAudit{}, err
	}
	findings = append(findings, more...)
	result := lines(findings)
	if len(result) == 0 {
		result = []string{AuditAllOK}
	}
	out := RequestAudit{RequestID: r.ID, ClientID: r.ClientID, Result: result, Findings: findings}
	after := map[string]any{"result": result}
	if len(findings) > 0 {
		after["findings"] = findings
	}
	err = s.Audit(ctx, actor, Event{PartnerID: r.PartnerID, Action: "client_request.audit", ObjectType: "client_request",
		ObjectID: r.ID, After: after})
	return out, err
}

// finding is a finding about the card.
func (c auditedCard) finding(kind, line string, data map[string]any, amounts map[string]decimal.Decimal) AuditFinding {
	if data == nil {
		data = map[string]any{}
	}
	data["Last4"] = c.Last4
	return AuditFinding{Kind: kind, Data: data, Amounts: amounts, Currency: c.Currency, Line: line}
}

// discrepancies compares a card's stored balance with what its movements say.
func (c auditedCard) discrepancies() []AuditFinding {
	var out []AuditFinding
	show := func(d decimal.Decimal) string { return money.Format(d) + " " + c.Currency }
	if !c.Balance.Equal(c.Net) {
		out = append(out, c.finding("balance_vs_movements", fmt.Sprintf("%s: stored balance %s, but its %d movements add up to %s (difference %s)",
			c.label(), show(c.Balance), c.Movements, show(c.Net), show(c.Balance.Sub(c.Net))),
			map[string]any{"Count": c.Movements},
			map[string]decimal.Decimal{"Balance": c.Balance, "Net": c.Net, "Difference": c.Balance.Sub(c.Net)}))
	}
	if c.LastBalance.Valid && !c.LastBalance.Decimal.Equal(c.Balance) {
		out = append(out, c.finding("balance_vs_last", fmt.Sprintf("%s: stored balance %s, but its last movement left %s",
			c.label(), show(c.Balance), show(c.LastBalance.Decimal)),
			nil, map[string]decimal.Decimal{"Balance": c.Balance, "Last": c.LastBalance.Decimal}))
	}
	if c.BrokenLinks > 0 && c.FirstBreakID != nil {
		out = append(out, c.finding("broken_chain", fmt.Sprintf("%s: %d movements do not follow from the balance before them (first: movement %d)",
			c.label(), c.BrokenLinks, *c.FirstBreakID),
			map[string]any{"Count": c.BrokenLinks, "First": *c.FirstBreakID}, nil))
	}
	return out
}

// amountDiscrepancies compares a money request's amount with the funds it would draw on and checks
// that its cards can move money.
func (s *Store) amountDiscrepancies(ctx context.Context, r ClientRequest, cards []auditedCard) ([]AuditFinding, error) {
	if !r.Amount.Valid || r.Currency == nil {
		return nil, nil
	}
	var p struct {
		CardID     int64 `json:"cardId"`
		FromCardID int64 `json:"fromCardId"`
		ToCardID   int64 `json:"toCardId"`
	}
	if err := json.Unmarshal(r.Payload, &p); err != nil {
		return nil, fmt.Errorf("store: unable to read payload of request %d: %w", r.ID, err)
	}
	amount := money.Format(r.Amount.Decimal) + " " + *r.Currency
	byID := map[int64]auditedCard{}
	for _, c := range cards {
		byID[c.ID] = c
	}
	var out []AuditFinding
	need := func(cardID int64) (auditedCard, bool) {
		c, ok := byID[cardID]
		if !ok {
			out = append(out, AuditFinding{Kind: "card_gone", Data: map[string]any{"ID": cardID},
				Line: fmt.Sprintf("Card %d of the request no longer belongs to the client", cardID)})
			return c, false
		}
		if c.Status != CardActive {
			out = append(out, c.finding("card_inactive", fmt.Sprintf("%s is %s, so no money can move on it", c.label(), c.Status),
				map[string]any{"Status": c.Status}, nil))
		}
		return c, true
	}
	short := func(c auditedCard, kind, line string) {
		out = append(out, c.finding(kind, fmt.Sprintf(line, c.label(), money.Format(c.Balance)+" "+c.Currency, amount), nil,
			map[string]decimal.Decimal{"Balance": c.Balance, "Amount": r.Amount.Decimal}))
	}
	switch r.Type {
	case RequestWithdrawal:
		if c, ok := need(p.CardID); ok && c.Balance.LessThan(r.Amount.Decimal) {
			short(c, "short_withdrawal", "%s holds %s, less than the %s to withdraw")
		}
	case RequestTransfer:
		if c, ok := need(p.FromCardID); ok && c.Balance.LessThan(r.Amount.Decimal) {
			short(c, "short_transfer", "%s holds %s, less than the %s to transfer")
		}
		need(p.ToCardID)
	case RequestDeposit:
		need(p.CardID)
		var available decimal.Decimal
		err := s.db.GetContext(ctx, &available, `SELECT COALESCE((SELECT balance FROM accounts
			WHERE partner_id = $1 AND kind = 'PARTNER' AND currency = $2), 0)`, r.PartnerID, *r.Currency)
		if err != nil {
			return nil, fmt.Errorf("store: unable to read partner balance: %w", err)
		}
		if available.LessThan(r.Amount.Decimal) {
			out = append(out, AuditFinding{Kind: "short_deposit", Currency: *r.Currency,
				Amounts: map[string]decimal.Decimal{"Available": available, "Amount": r.Amount.Decimal},
				Line: fmt.Sprintf("The partner's available balance %s is less than the %s to deposit",
					money.Format(available)+" "+*r.Currency, amount)})
		}
	}
	return out, nil
}
