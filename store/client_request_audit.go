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
	var lines []string
	for _, c := range cards {
		lines = append(lines, c.discrepancies()...)
	}
	more, err := s.amountDiscrepancies(ctx, r, cards)
	if err != nil {
		return RequestAudit{}, err
	}
	lines = append(lines, more...)
	if len(lines) == 0 {
		lines = []string{AuditAllOK}
	}
	out := RequestAudit{RequestID: r.ID, ClientID: r.ClientID, Result: lines}
	err = s.Audit(ctx, actor, Event{PartnerID: r.PartnerID, Action: "client_request.audit", ObjectType: "client_request",
		ObjectID: r.ID, After: map[string]any{"result": lines}})
	return out, err
}

// discrepancies compares a card's stored balance with what its movements say.
func (c auditedCard) discrepancies() []string {
	var out []string
	show := func(d decimal.Decimal) string { return money.Format(d) + " " + c.Currency }
	if !c.Balance.Equal(c.Net) {
		out = append(out, fmt.Sprintf("%s: stored balance %s, but its %d movements add up to %s (difference %s)",
			c.label(), show(c.Balance), c.Movements, show(c.Net), show(c.Balance.Sub(c.Net))))
	}
	if c.LastBalance.Valid && !c.LastBalance.Decimal.Equal(c.Balance) {
		out = append(out, fmt.Sprintf("%s: stored balance %s, but its last movement left %s",
			c.label(), show(c.Balance), show(c.LastBalance.Decimal)))
	}
	if c.BrokenLinks > 0 && c.FirstBreakID != nil {
		out = append(out, fmt.Sprintf("%s: %d movements do not follow from the balance before them (first: movement %d)",
			c.label(), c.BrokenLinks, *c.FirstBreakID))
	}
	return out
}

// amountDiscrepancies compares a money request's amount with the funds it would draw on and checks
// that its cards can move money.
func (s *Store) amountDiscrepancies(ctx context.Context, r ClientRequest, cards []auditedCard) ([]string, error) {
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
	var out []string
	need := func(cardID int64) (auditedCard, bool) {
		c, ok := byID[cardID]
		if !ok {
			out = append(out, fmt.Sprintf("Card %d of the request no longer belongs to the client", cardID))
			return c, false
		}
		if c.Status != CardActive {
			out = append(out, fmt.Sprintf("%s is %s, so no money can move on it", c.label(), c.Status))
		}
		return c, true
	}
	switch r.Type {
	case RequestWithdrawal:
		if c, ok := need(p.CardID); ok && c.Balance.LessThan(r.Amount.Decimal) {
			out = append(out, fmt.Sprintf("%s holds %s, less than the %s to withdraw", c.label(),
				money.Format(c.Balance)+" "+c.Currency, amount))
		}
	case RequestTransfer:
		if c, ok := need(p.FromCardID); ok && c.Balance.LessThan(r.Amount.Decimal) {
			out = append(out, fmt.Sprintf("%s holds %s, less than the %s to transfer", c.label(),
				money.Format(c.Balance)+" "+c.Currency, amount))
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
			out = append(out, fmt.Sprintf("The partner's available balance %s is less than the %s to deposit",
				money.Format(available)+" "+*r.Currency, amount))
		}
	}
	return out, nil
}
