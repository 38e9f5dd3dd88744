package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"
)

// MaxStatementRows is the most movements one PDF statement lists: the PDF is built in memory, so a
// larger period is refused with a hint to shorten it or to use the CSV export, which streams.
const MaxStatementRows = 150_000

// StatementSubject is whose statement it is: the card with its cardholder and partner.
type StatementSubject struct {
	Card        Card
	HolderID    int64
	HolderName  string // the cardholder's full name
	PartnerName string
	TimeZone    string // the partner's: statement days and times are in it
}

// StatementSubjectOf returns the partner's card when it belongs to the cardholder, with the names a
// statement prints; any other card is 7200.
func (s *Store) StatementSubjectOf(ctx context.Context, partnerID, cardholderID, cardID int64) (StatementSubject, error) {
	var row struct {
		Card
		HolderName  string `db:"holder_name"`
		PartnerName string `db:"partner_name"`
		TimeZone    string `db:"time_zone"`
	}
	err := s.db.GetContext(ctx, &row, `SELECT `+cardColumns+`, h.name || ' ' || h.last_name AS holder_name,
		p.name AS partner_name, p.time_zone
		FROM cards c JOIN accounts a ON a.id = c.account_id JOIN cardholders h ON h.id = c.cardholder_id
		JOIN partners p ON p.id = c.partner_id
		WHERE c.id = $1 AND c.partner_id = $2 AND c.cardholder_id = $3`, cardID, partnerID, cardholderID)
	if errors.Is(err, sql.ErrNoRows) {
		return StatementSubject{}, NewError(CodeCardNotFound, "card not found")
	}
	if err != nil {
		return StatementSubject{}, fmt.Errorf("store: unable to read card: %w", err)
	}
	return StatementSubject{Card: row.Card, HolderID: cardholderID, HolderName: row.HolderName, PartnerName: row.PartnerName, TimeZone: row.TimeZone}, nil
}

// StatementTotals is the account of a card over a period: Opening + Credits − Debits = Closing.
// Opening and Closing are the balances the ledger wrote after the last movement before the period
// and after its last movement, so the equation checks the ledger rather than restating it.
type StatementTotals struct {
	From        time.Time       `db:"from_at"` // the period's first instant
	To          time.Time       `db:"to_at"`   // the instant after the period
	Opening     decimal.Decimal `db:"opening"`
	Credits     decimal.Decimal `db:"credits"`
	Debits      decimal.Decimal `db:"debits"`
	Closing     decimal.Decimal `db:"closing"`
	CreditCount int             `db:"credit_count"`
	DebitCount  int             `db:"debit_count"`
}

// Count is the number of movements in the period.
func (t StatementTotals) Count() int { return t.CreditCount + t.DebitCount }

// StatementMovements streams the movements a statement lists, in one read-only snapshot: first the
// period's totals to begin, then each movement of f to each, one at a time and never collected. A
// period whose balances do not add up is refused before begin is called, as an internal error.
func (s *Store) StatementMovements(ctx context.Context, f StatementFilter, begin func(StatementTotals) error,
	each func(StatementLine) error) error {
	if err := f.Validate(); err != nil {
		return err
	}
	// Repeatable read: the totals and the rows come from the same snapshot even while the card moves.
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("store: unable to begin statement: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	t, err := statementTotals(ctx, tx, f)
	if err != nil {
		return err
	}
	if err := begin(t); err != nil {
		return err
	}
	args := []any{f.CardID, f.PartnerID, t.From, t.To}
	query := `SELECT ` + statementLineColumns + `
		FROM movements m LEFT JOIN cards cc ON cc.id = m.counterpart_card_id
		WHERE m.card_id = $1 AND m.partner_id = $2 AND m.created_at >= $3 AND m.created_at < $4
		ORDER BY ` + statementSorts[f.SortBy] + ` ` + f.SortOrder + `, m.id ` + f.SortOrder
	if f.Page != nil {
		args = append(args, f.Page.Limit, f.Page.Offset())
		query += ` LIMIT $5 OFFSET $6`
	}
	rows, err := tx.QueryxContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: unable to list statement movements: %w", err)
	}
	defer rows.Close()
	var line StatementLine
	for rows.Next() {
		line = StatementLine{}
		if err := rows.StructScan(&line); err != nil {
			return fmt.Errorf("store: unable to read statement movement: %w", err)
		}
		if err := each(line); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: unable to list statement movements: %w", err)
	}
	return nil
}

// StatementTotalsOf returns the period's totals alone, checked to balance, for a screen that shows
// them before anything is downloaded.
func (s *Store) StatementTotalsOf(ctx context.Context, f StatementFilter) (StatementTotals, error) {
	if err := f.Validate(); err != nil {
		return StatementTotals{}, err
	}
	return statementTotals(ctx, s.db, f)
}

// statementTotals sums the period in one query and refuses a ledger that does not balance: opening
// plus credits minus debits must be the balance written after the period's last movement.
func statementTotals(ctx context.Context, q sqlx.QueryerContext, f StatementFilter) (StatementTotals, error) {
	var t StatementTotals
	err := sqlx.GetContext(ctx, q, &t, `
		WITH b AS (
		    SELECT ($3::date::timestamp AT TIME ZONE p.time_zone) AS from_at,
		           (($4::date + 1)::timestamp AT TIME ZONE p.time_zone) AS to_at
		    FROM partners p WHERE p.id = $2
		)
		SELECT b.from_at, b.to_at,
		       COALESCE((SELECT o.balance_after FROM movements o WHERE o.card_id = $1 AND o.created_at < b.from_at
		                 ORDER BY o.created_at DESC, o.id DESC LIMIT 1), 0) AS opening,
		       COALESCE((SELECT o.balance_after FROM movements o WHERE o.card_id = $1 AND o.created_at < b.to_at
		                 ORDER BY o.created_at DESC, o.id DESC LIMIT 1), 0) AS closing,
		       COALESCE(sum(m.amount) FILTER (WHERE m.direction = 'CREDIT'), 0) AS credits,
		       COALESCE(sum(m.amount) FILTER (WHERE m.direction = 'DEBIT'), 0) AS debits,
		       count(m.id) FILTER (WHERE m.direction = 'CREDIT') AS credit_count,
		       count(m.id) FILTER (WHERE m.direction = 'DEBIT') AS debit_count
		FROM b LEFT JOIN movements m ON m.card_id = $1 AND m.partner_id = $2
		     AND m.created_at >= b.from_at AND m.created_at < b.to_at
		GROUP BY b.from_at, b.to_at`, f.CardID, f.PartnerID, f.From, f.To)
	if err != nil {
		return t, fmt.Errorf("store: unable to total statement: %w", notFoundIf(err, "partner"))
	}
	if !t.Opening.Add(t.Credits).Sub(t.Debits).Equal(t.Closing) {
		return t, fmt.Errorf("store: card %d does not balance from %s to %s: %s + %s - %s != %s",
			f.CardID, f.From, f.To, t.Opening, t.Credits, t.Debits, t.Closing)
	}
	return t, nil
}

// StatementLine is a movement as a statement lists it, with the last four digits of the other card
// of a transfer.
type StatementLine struct {
	Movement
	CounterpartLast4 *string `db:"counterpart_last4"`
}

const statementLineColumns = `m.id, m.entry_id, m.account_id, m.partner_id, m.card_id, m.type, m.direction, m.amount,
	m.currency, m.balance_after, m.counterpart_account_id, m.counterpart_card_id, m.channel, m.reference,
	m.description, m.custom_keys, m.actor_type, m.actor_id, m.actor_label, m.created_at, cc.last4 AS counterpart_last4`

// statementSorts are the columns a statement may be sorted by; ties go by id, the order the card's
// balance changed in.
var statementSorts = map[string]string{
	"createdAt":    "m.created_at",
	"amount":       "m.amount",
	"type":         "m.type",
	"balanceAfter": "m.balance_after",
}

// StatementFilter selects a card's movements for a statement or an export: calendar days in the
// partner's time zone, both included, sorted, and either every row of the period or one page.
type StatementFilter struct {
	PartnerID int64
	CardID    int64
	From, To  string // YYYY-MM-DD, both required
	SortBy    string // a key of statementSorts; createdAt when empty
	SortOrder string // asc or desc; asc (the order a statement is read in) when empty
	Page      *Page  // nil for the whole period
}

// Validate checks the period, its order and the sort, and fills the defaults.
func (f *StatementFilter) Validate() error {
	var v Validation
	from, fromErr := time.Parse(time.DateOnly, f.From)
	to, toErr := time.Parse(time.DateOnly, f.To)
	switch {
	case f.From == "":
		v.Add("from", "from is required: the first day of the period, like 2026-03-01")
	case fromErr != nil:
		v.Add("from", "from must be a date like 2026-03-01")
	}
	switch {
	case f.To == "":
		v.Add("to", "to is required: the last day of the period, like 2026-03-31")
	case toErr != nil:
		v.Add("to", "to must be a date like 2026-03-31")
	}
	if fromErr == nil && toErr == nil && to.Before(from) {
		v.Add("to", "to must not be before from")
	}
	if f.SortBy == "" {
		f.SortBy = "createdAt"
	}
	if _, ok := statementSorts[f.SortBy]; !ok {
		v.Add("sortBy", "sortBy must be one of createdAt, amount, type, balanceAfter")
	}
	switch f.SortOrder {
	case "":
		f.SortOrder = "asc"
	case "asc", "desc":
	default:
		v.Add("sortOrder", "sortOrder must be asc or desc")
	}
	return v.Err()
}

// Chronological reports whether the rows come in the order the balance changed, oldest first.
func (f StatementFilter) Chronological() bool { return f.SortBy == "createdAt" && f.SortOrder == "asc" }
