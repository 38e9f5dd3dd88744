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

// MaxStatementRows is the most movements one PDF statement lists (some 5,500 pages): the PDF is
// spooled in memory before it is sent, and nobody reads more, so a larger period is refused with a
// hint to shorten it or to use the CSV export.
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
	return StatementSubject{Card: row.Card, HolderID: cardholderID, HolderName: row.HolderName,
		PartnerName: row.PartnerName, TimeZone: row.TimeZone}, nil
}

// StatementFilter selects the movements of a statement or an export. It is the movements list's
// filter, so the rows come from the same query as the console's table, with a period required and,
// unless Paged, every row of it.
type StatementFilter struct {
	MovementFilter
	Paged bool // list only MovementFilter.Page of the period's rows
}

// Validate checks the period (both days required), its order and the sort. A statement reads oldest
// first unless asked otherwise.
func (f *StatementFilter) Validate() error {
	if f.SortOrder == "" {
		f.SortOrder = "asc"
	}
	var v Validation
	if f.From == "" {
		v.Add("from", "from is required: the first day of the period, like 2026-03-01")
	} else if from, err := time.Parse(DateLayout, f.From); err == nil && from.Year() < 1900 {
		v.Add("from", "from must be in 1900 or later")
	}
	if f.To == "" {
		v.Add("to", "to is required: the last day of the period, like 2026-03-31")
	}
	err := f.MovementFilter.Validate()
	e, ok := AsError(err)
	if err != nil && !ok {
		return err
	}
	if ok {
		for _, fe := range e.Fields {
			if !v.Has(fe.Field) {
				v.AddCode(fe.Field, fe.Code, fe.Message)
			}
		}
	}
	return v.Err()
}

// Chronological reports whether the rows come in the order the balance changed, oldest first.
func (f StatementFilter) Chronological() bool { return f.SortBy == "createdAt" && f.SortOrder == "asc" }

// StatementTotals is the account of a card over a period: Opening + Credits − Debits = Closing.
// Opening and Closing are the balances the ledger wrote after the last movement before the period
// and after its last movement, so the equation checks the ledger rather than restating it.
type StatementTotals struct {
	Opening     decimal.Decimal
	Credits     decimal.Decimal `db:"credits"`
	Debits      decimal.Decimal `db:"debits"`
	Closing     decimal.Decimal
	CreditCount int `db:"credit_count"`
	DebitCount  int `db:"debit_count"`
}

// Count is the number of movements in the period.
func (t StatementTotals) Count() int { return t.CreditCount + t.DebitCount }

// StatementTotalsOf returns the period's totals alone, checked to balance, for the console to show
// before anything is downloaded.
func (s *Store) StatementTotalsOf(ctx context.Context, f StatementFilter) (StatementTotals, error) {
	if err := f.Validate(); err != nil {
		return StatementTotals{}, err
	}
	tx, err := s.readSnapshot(ctx)
	if err != nil {
		return StatementTotals{}, err
	}
	defer func() { _ = tx.Rollback() }()
	return statementTotals(ctx, tx, f)
}

// StatementMovements streams the movements a statement lists, in one read-only snapshot: first the
// period's totals to begin, then each row of the movements query to each, one at a time and never
// collected. A period whose balances do not add up is refused before begin is called, as an
// internal error.
func (s *Store) StatementMovements(ctx context.Context, f StatementFilter, begin func(StatementTotals) error,
	each func(MovementRow) error) error {
	if err := f.Validate(); err != nil {
		return err
	}
	tx, err := s.readSnapshot(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	t, err := statementTotals(ctx, tx, f)
	if err != nil {
		return err
	}
	if err := begin(t); err != nil {
		return err
	}
	query, args := f.selectRows(f.Paged)
	rows, err := tx.QueryxContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: unable to list statement movements: %w", err)
	}
	defer rows.Close()
	var row MovementRow
	for rows.Next() {
		row = MovementRow{}
		if err := rows.StructScan(&row); err != nil {
			return fmt.Errorf("store: unable to read statement movement: %w", err)
		}
		if err := each(row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: unable to list statement movements: %w", err)
	}
	return nil
}

// statementTotals sums the period with the movements filter's own WHERE clause and reads the
// balances around it, then refuses a ledger that does not balance: opening plus credits minus debits
// must be the balance written after the period's last movement.
func statementTotals(ctx context.Context, tx *sqlx.Tx, f StatementFilter) (StatementTotals, error) {
	var t StatementTotals
	where, args := f.where()
	err := tx.GetContext(ctx, &t, `
		SELECT COALESCE(sum(m.amount) FILTER (WHERE m.direction = 'CREDIT'), 0) AS credits,
		       COALESCE(sum(m.amount) FILTER (WHERE m.direction = 'DEBIT'), 0) AS debits,
		       count(*) FILTER (WHERE m.direction = 'CREDIT') AS credit_count,
		       count(*) FILTER (WHERE m.direction = 'DEBIT') AS debit_count
		FROM movements m WHERE `+where, args...)
	if err != nil {
		return t, fmt.Errorf("store: unable to total statement: %w", err)
	}
	from, _ := time.Parse(DateLayout, f.From)
	// The balance before the period is the one after the card's last movement up to the day before.
	before := MovementFilter{PartnerID: f.PartnerID, CardID: f.CardID, To: from.AddDate(0, 0, -1).Format(DateLayout)}
	if t.Opening, err = balanceThrough(ctx, tx, before); err != nil {
		return t, err
	}
	if t.Closing, err = balanceThrough(ctx, tx, MovementFilter{PartnerID: f.PartnerID, CardID: f.CardID, To: f.To}); err != nil {
		return t, err
	}
	if !t.Opening.Add(t.Credits).Sub(t.Debits).Equal(t.Closing) {
		return t, fmt.Errorf("store: card %d does not balance from %s to %s: %s + %s - %s != %s",
			f.CardID, f.From, f.To, t.Opening, t.Credits, t.Debits, t.Closing)
	}
	return t, nil
}

// balanceThrough is the balance the ledger wrote after the last movement f selects; zero when there
// is none.
func balanceThrough(ctx context.Context, tx *sqlx.Tx, f MovementFilter) (decimal.Decimal, error) {
	where, args := f.where()
	var b decimal.Decimal
	err := tx.GetContext(ctx, &b, `SELECT m.balance_after FROM movements m WHERE `+where+`
		ORDER BY m.created_at DESC, m.id DESC LIMIT 1`, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return decimal.Zero, nil
	}
	if err != nil {
		return b, fmt.Errorf("store: unable to read statement balance: %w", err)
	}
	return b, nil
}
