package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// MovementRow is a card's movement as lists and statements show it: the ledger line, whose
// balance_after is the running balance, and the last four digits of the counterpart card of a transfer.
type MovementRow struct {
	Movement
	CounterpartLast4 *string `db:"counterpart_last4" json:"counterpartLast4"`
	// ReversedBy is the approved reversal that undid this movement's operation ("reversed by #N").
	ReversedBy *int64 `db:"reversed_by" json:"reversedBy"`
}

// MovementFilter selects movements of one card. Dates are calendar days in the partner's time zone,
// both inclusive; an empty date leaves that end open. The statement export reuses it.
type MovementFilter struct {
	PartnerID int64
	CardID    int64
	From, To  string // YYYY-MM-DD
	SortBy    string // a key of MovementSorts; createdAt when empty
	SortOrder string // asc or desc; desc when empty
	Page      Page
}

// MovementSorts are the columns a movement list may be sorted by; ties are broken by id, which is
// the order the card's balance changed in.
var MovementSorts = map[string]string{
	"createdAt":    "m.created_at",
	"amount":       "m.amount",
	"type":         "m.type",
	"balanceAfter": "m.balance_after",
}

// DateLayout is the layout of the from/to query dates.
const DateLayout = "2006-01-02"

// Validate checks the dates, their order and the sort.
func (f *MovementFilter) Validate() error {
	var v Validation
	var from, to time.Time
	var err error
	if f.From != "" {
		if from, err = time.Parse(DateLayout, f.From); err != nil {
			v.Add("from", "from must be a date like 2026-03-01")
		}
	}
	if f.To != "" {
		if to, err = time.Parse(DateLayout, f.To); err != nil {
			v.Add("to", "to must be a date like 2026-03-31")
		}
	}
	if !v.Has("from") && !v.Has("to") && f.From != "" && f.To != "" && to.Before(from) {
		v.Add("to", "to must not be before from")
	}
	if f.SortBy == "" {
		f.SortBy = "createdAt"
	}
	if _, ok := MovementSorts[f.SortBy]; !ok {
		v.Add("sortBy", "sortBy must be one of createdAt, amount, type, balanceAfter")
	}
	switch f.SortOrder {
	case "":
		f.SortOrder = "desc"
	case "asc", "desc":
	default:
		v.Add("sortOrder", "sortOrder must be asc or desc")
	}
	return v.Err()
}

// movementRowColumns selects a MovementRow from movements m and the counterpart card cc.
const movementRowColumns = `m.id, m.entry_id, m.account_id, m.partner_id, m.card_id, m.type, m.direction, m.amount,
	m.currency, m.balance_after, m.counterpart_account_id, m.counterpart_card_id, m.channel, m.reference,
	m.description, m.custom_keys, m.actor_type, m.actor_id, m.actor_label, m.created_at, m.reverses_movement_id,
	cc.last4 AS counterpart_last4,
	(SELECT rv.id FROM reversals rv WHERE rv.entry_id = m.entry_id AND rv.status = 'APPROVED') AS reversed_by`

// where returns the WHERE clause and arguments of the filter. The day bounds are turned into
// instants by PostgreSQL with the partner's time zone, once per query.
func (f MovementFilter) where() (string, []any) {
	args := []any{f.CardID, f.PartnerID}
	where := `m.card_id = $1 AND m.partner_id = $2`
	if f.From != "" {
		args = append(args, f.From)
		where += ` AND m.created_at >= ($` + strconv.Itoa(len(args)) +
			`::date::timestamp AT TIME ZONE (SELECT time_zone FROM partners WHERE id = $2))`
	}
	if f.To != "" {
		args = append(args, f.To)
		where += ` AND m.created_at < (($` + strconv.Itoa(len(args)) +
			`::date + 1)::timestamp AT TIME ZONE (SELECT time_zone FROM partners WHERE id = $2))`
	}
	return where, args
}

// selectRows is the one query of a card's movements: the console's table and the JSON list run it
// for one page, the PDF statement and the CSV export (statements.go) for every row of the period
// (paged false), so all of them list the same rows in the same order.
func (f MovementFilter) selectRows(paged bool) (string, []any) {
	where, args := f.where()
	query := `SELECT ` + movementRowColumns + `
		FROM movements m LEFT JOIN cards cc ON cc.id = m.counterpart_card_id
		WHERE ` + where + ` ORDER BY ` + MovementSorts[f.SortBy] + " " + f.SortOrder + ", m.id " + f.SortOrder
	if paged {
		args = append(args, f.Page.Limit, f.Page.Offset())
		query += ` LIMIT $` + strconv.Itoa(len(args)-1) + ` OFFSET $` + strconv.Itoa(len(args))
	}
	return query, args
}

// ListMovements returns a page of the card's movements and how many match. The caller has checked
// that the card is the partner's (and the cardholder's).
func (s *Store) ListMovements(ctx context.Context, f MovementFilter) ([]MovementRow, int, error) {
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	where, args := f.where()
	var total int
	if err := s.db.GetContext(ctx, &total, `SELECT count(*) FROM movements m WHERE `+where, args...); err != nil {
		return nil, 0, fmt.Errorf("store: unable to count movements: %w", err)
	}
	query, args := f.selectRows(true)
	rows := []MovementRow{}
	err := s.db.SelectContext(ctx, &rows, query, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: unable to list movements: %w", err)
	}
	return rows, total, nil
}

// MovementOfCard returns one movement of the partner's card; another card's movement is NotFound.
func (s *Store) MovementOfCard(ctx context.Context, partnerID, cardID, movementID int64) (MovementRow, error) {
	var m MovementRow
	err := s.db.GetContext(ctx, &m, `SELECT `+movementRowColumns+`
		FROM movements m LEFT JOIN cards cc ON cc.id = m.counterpart_card_id
		WHERE m.id = $1 AND m.card_id = $2 AND m.partner_id = $3`, movementID, cardID, partnerID)
	if err != nil {
		return m, fmt.Errorf("store: unable to read movement: %w", notFoundIf(err, "movement"))
	}
	return m, nil
}

// CardOfHolder returns the partner's card when it belongs to the cardholder; anything else is 7200.
func (s *Store) CardOfHolder(ctx context.Context, partnerID, cardholderID, cardID int64) (Card, error) {
	var c Card
	err := s.db.GetContext(ctx, &c, `SELECT `+cardColumns+` FROM cards c JOIN accounts a ON a.id = c.account_id
		WHERE c.id = $1 AND c.partner_id = $2 AND c.cardholder_id = $3`, cardID, partnerID, cardholderID)
	if errors.Is(err, sql.ErrNoRows) {
		return c, NewError(CodeCardNotFound, "card not found")
	}
	if err != nil {
		return c, fmt.Errorf("store: unable to read card: %w", err)
	}
	return c, nil
}

// HolderCards lists the cardholder's cards of the partner, by id: a transfer picks its other card here.
func (s *Store) HolderCards(ctx context.Context, partnerID, cardholderID int64) ([]Card, error) {
	cards := []Card{}
	err := s.db.SelectContext(ctx, &cards, `SELECT `+cardColumns+` FROM cards c JOIN accounts a ON a.id = c.account_id
		WHERE c.partner_id = $1 AND c.cardholder_id = $2 ORDER BY c.id`, partnerID, cardholderID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list cards: %w", err)
	}
	return cards, nil
}

// Statement is a card's movements of one calendar month in the partner's time zone, with the balance
// before the first and after the last: Opening plus credits minus debits equals Closing.
type Statement struct {
	CardID    int64           `json:"cardId"`
	Month     int             `json:"month"`
	Year      int             `json:"year"`
	TimeZone  string          `json:"timeZone"`
	From      time.Time       `json:"from"` // the first instant of the month
	To        time.Time       `json:"to"`   // the first instant of the next month (excluded)
	Currency  string          `json:"currency"`
	Opening   decimal.Decimal `json:"openingBalance"`
	Closing   decimal.Decimal `json:"closingBalance"`
	Movements []MovementRow   `json:"movements"`
}

// CardStatement returns the card's statement of month/year. The opening balance is the balance
// after the card's last movement before the month, which is the order its balance changed in
// because movement times are taken under the account's row lock (migration 00030).
func (s *Store) CardStatement(ctx context.Context, owner CardOwner, month, year int) (Statement, error) {
	var v Validation
	if month < 1 || month > 12 {
		v.Add("month", "month must be between 1 and 12")
	}
	if year < 2000 || year > 9999 {
		v.Add("year", "year must have four digits")
	}
	if err := v.Err(); err != nil {
		return Statement{}, err
	}
	st := Statement{CardID: owner.CardID, Month: month, Year: year, TimeZone: owner.TimeZone, Movements: []MovementRow{}}
	first := fmt.Sprintf("%04d-%02d-01", year, month)
	// One snapshot for the bounds, balances and lines, so they agree even while the card moves.
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return st, fmt.Errorf("store: unable to begin statement: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	var head struct {
		From     time.Time `db:"from_at"`
		To       time.Time `db:"to_at"`
		Currency string    `db:"currency"`
	}
	err = tx.GetContext(ctx, &head, `
		SELECT ($2::date::timestamp AT TIME ZONE $3::text) AS from_at,
		       (($2::date + interval '1 month')::timestamp AT TIME ZONE $3::text) AS to_at, a.currency
		FROM cards c JOIN accounts a ON a.id = c.account_id WHERE c.id = $1`, owner.CardID, first, owner.TimeZone)
	if err != nil {
		return st, fmt.Errorf("store: unable to read statement bounds: %w", notFoundIf(err, "card"))
	}
	st.From, st.To, st.Currency = head.From, head.To, head.Currency
	balanceBefore := func(at time.Time) (decimal.Decimal, error) {
		var b decimal.Decimal
		err := tx.GetContext(ctx, &b, `SELECT balance_after FROM movements WHERE card_id = $1 AND created_at < $2
			ORDER BY created_at DESC, id DESC LIMIT 1`, owner.CardID, at)
		if errors.Is(err, sql.ErrNoRows) {
			return decimal.Zero, nil
		}
		return b, err
	}
	if st.Opening, err = balanceBefore(st.From); err != nil {
		return st, fmt.Errorf("store: unable to read opening balance: %w", err)
	}
	if st.Closing, err = balanceBefore(st.To); err != nil {
		return st, fmt.Errorf("store: unable to read closing balance: %w", err)
	}
	err = tx.SelectContext(ctx, &st.Movements, `SELECT `+movementRowColumns+`
		FROM movements m LEFT JOIN cards cc ON cc.id = m.counterpart_card_id
		WHERE m.card_id = $1 AND m.created_at >= $2 AND m.created_at < $3 ORDER BY m.created_at, m.id`,
		owner.CardID, st.From, st.To)
	if err != nil {
		return st, fmt.Errorf("store: unable to list statement movements: %w", err)
	}
	return st, nil
}
