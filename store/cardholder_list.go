package store

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// CardholderSummary is a row of the cardholder list: who they are and how to find them, without
// the address, birth data or civil status that only the audited detail shows.
type CardholderSummary struct {
	ID             int64     `db:"id" json:"id"`
	Name           string    `db:"name" json:"name"`
	LastName       string    `db:"last_name" json:"lastName"`
	Email          string    `db:"email" json:"email"`
	PhoneNumber    string    `db:"phone_number" json:"phoneNumber"`
	DocumentType   string    `db:"document_type" json:"documentType"`
	DocumentNumber string    `db:"document_number" json:"documentNumber"`
	Status         string    `db:"status" json:"status"`
	CardCount      int       `db:"card_count" json:"cardCount"`
	CreatedAt      time.Time `db:"created_at" json:"createdAt"`
}

// sortColumns is the column each sortBy value reads.
var sortColumns = map[string]string{
	"createdAt": "created_at", "id": "id", "name": "name", "lastName": "last_name", "email": "email",
	"documentNumber": "document_number",
}

// cardholderSorts maps each sortBy value to the ORDER BY expression its index serves. Names sort
// with the ICU root collation, the one their indexes are built with.
var cardholderSorts = map[string]string{
	"createdAt":      "created_at",
	"id":             "id",
	"name":           `name COLLATE "und-x-icu"`,
	"lastName":       `last_name COLLATE "und-x-icu"`,
	"email":          "email",
	"documentNumber": "document_number",
}

// CardholderSortColumns are the accepted sortBy values, in the order the docs list them.
var CardholderSortColumns = []string{"createdAt", "id", "name", "lastName", "email", "documentNumber"}

// Defaults of the cardholder list: newest first.
const (
	DefaultCardholderSort  = "createdAt"
	DefaultCardholderOrder = "desc"
)

// MaxSearchText bounds searchText; no email, phone or document is longer.
const MaxSearchText = 100

// searchable is a run of three letters or digits: the shortest fragment the trigram indexes can
// look up. Anything shorter would have to read every cardholder of the partner.
var searchable = regexp.MustCompile(`[\p{L}\p{N}]{3}`)

// collectMatches decides how a search finds the ids of its page. Walking the sort's index tests
// rows in sort order until the page is full: about (offset+limit) × partner rows / matches rows,
// each a random heap read and three ILIKEs. Collecting reads every match through the trigram
// indexes, in heap order, and sorts them. With the exact number of matches from the count, collect
// unless the walk reads fewer than a quarter as many rows (walkCost measured at a million
// cardholders): a common fragment's first pages walk, a rare fragment or a deep page collects
// (docs/performance-cardholders.md).
func collectMatches(matches, partnerRows int, p Page) bool {
	return int64(matches)*int64(matches) <= walkCost*int64(p.Offset()+p.Limit)*int64(partnerRows)
}

// walkCost is how many collected rows cost as much as one walked row.
const walkCost = 4

// CardholderFilter selects and orders a page of a partner's cardholders.
type CardholderFilter struct {
	PartnerID int64
	Search    string // substring of email, phone number or document number, case-insensitive
	SortBy    string // one of CardholderSortColumns; empty for DefaultCardholderSort
	SortOrder string // asc or desc; empty for the sort's default
	Page      Page

	// Tags keeps only cardholders carrying one of them: the listing operator's tag restriction on
	// the partner (store/tags.go), set by ListCardholders. Empty lists everyone.
	Tags []string

	// Status is ACTIVE (the default: closed cardholders are hidden), CLOSED or ALL.
	Status string
}

// StatusAll lists cardholders of every status.
const StatusAll = "ALL"

// Normalize fills the defaults and trims the search text.
func (f *CardholderFilter) Normalize() {
	f.Search = strings.TrimSpace(f.Search)
	if f.SortBy == "" {
		f.SortBy = DefaultCardholderSort
		if f.SortOrder == "" {
			f.SortOrder = DefaultCardholderOrder
		}
	}
	if f.SortOrder == "" {
		f.SortOrder = "asc"
	}
	f.SortOrder = strings.ToLower(f.SortOrder)
	f.Status = strings.ToUpper(strings.TrimSpace(f.Status))
	if f.Status == "" {
		f.Status = CardholderActive
	}
}

func (f CardholderFilter) validate() error {
	var v Validation
	if _, ok := cardholderSorts[f.SortBy]; !ok {
		v.Add("sortBy", "sortBy must be one of "+strings.Join(CardholderSortColumns, ", "))
	}
	if f.SortOrder != "asc" && f.SortOrder != "desc" {
		v.Add("sortOrder", "sortOrder must be asc or desc")
	}
	if f.Status != StatusAll && !slices.Contains(CardholderStatuses, f.Status) {
		v.Add("status", "status must be ACTIVE, CLOSED or ALL")
	}
	switch {
	case len([]rune(f.Search)) > MaxSearchText:
		v.Add("searchText", fmt.Sprintf("searchText must have at most %d characters", MaxSearchText))
	case f.Search != "" && !SearchableText(f.Search):
		v.Add("searchText", "searchText must contain at least 3 letters or digits in a row")
	}
	return v.Err()
}

// SearchableText reports whether a search fragment can be looked up in the indexes.
func SearchableText(s string) bool { return searchable.MatchString(s) }

// cardholderListSQL builds the count and page queries of a filter. The page query finds the ids of
// the page first and only then reads those rows, so deep pages skip index entries instead of whole
// rows. The ids come in the order of the sort's index, or, when collect is set, from all the
// matches of the search sorted in memory (see collectMatches).
func cardholderListSQL(f CardholderFilter, collect bool) (count, page string, args []any) {
	where := `partner_id = $1`
	args = []any{f.PartnerID}
	if f.Search != "" {
		args = append(args, likeContains(f.Search))
		where += ` AND (email ILIKE $2 OR phone_number ILIKE $2 OR document_number ILIKE $2)`
	}
	if len(f.Tags) > 0 {
		args = append(args, pq.Array(f.Tags))
		where += fmt.Sprintf(` AND id IN (SELECT cardholder_id FROM cardholder_tags WHERE tag = ANY($%d))`, len(args))
	}
	switch f.Status {
	case CardholderActive:
		where += ` AND status <> 'CLOSED'`
	case CardholderClosed:
		where += ` AND status = 'CLOSED'`
	}
	dir := "ASC"
	if f.SortOrder == "desc" {
		dir = "DESC"
	}
	order := fmt.Sprintf("%s %s, id %s", cardholderSorts[f.SortBy], dir, dir)
	n := len(args)
	count = `SELECT count(*) FROM cardholders WHERE ` + where
	if f.Search == "" && len(f.Tags) == 0 && f.Status != CardholderClosed {
		// Closed cardholders are few: the partner's kept count less those read from their index.
		count = partnerRowsSQL
		if f.Status == CardholderActive {
			count = `SELECT (` + strings.TrimPrefix(partnerRowsSQL, "SELECT ") +
				`) - (SELECT count(*) FROM cardholders WHERE partner_id = $1 AND status = 'CLOSED')`
		}
	}
	ids := fmt.Sprintf(`SELECT id FROM cardholders WHERE %s ORDER BY %s LIMIT $%d OFFSET $%d`, where, order, n+1, n+2)
	if f.Search != "" && collect {
		// MATERIALIZED keeps the planner from pushing the ORDER BY into an index walk.
		cols := "id"
		if c := sortColumns[f.SortBy]; c != "id" {
			cols += ", " + c
		}
		ids = fmt.Sprintf(`WITH matches AS MATERIALIZED (SELECT %s FROM cardholders WHERE %s)
			SELECT id FROM matches ORDER BY %s LIMIT $%d OFFSET $%d`, cols, where, order, n+1, n+2)
	}
	page = fmt.Sprintf(`
		SELECT ch.id, ch.name, ch.last_name, ch.email, ch.phone_number, ch.document_type, ch.document_number,
		       ch.status, ch.created_at, (SELECT count(*) FROM cards c WHERE c.cardholder_id = ch.id) AS card_count
		FROM (%s) pg
		JOIN cardholders ch ON ch.id = pg.id
		ORDER BY %s`, ids, qualify(order))
	args = append(args, f.Page.Limit, f.Page.Offset())
	return count, page, args
}

// qualify prefixes the sort columns with the outer query's alias.
func qualify(order string) string {
	parts := strings.Split(order, ", ")
	for i, p := range parts {
		parts[i] = "ch." + p
	}
	return strings.Join(parts, ", ")
}

// ListCardholders returns a page of the partner's cardholders and how many match in all. Listing
// shows personal data, so it is written to the audit log with the ids shown.
func (s *Store) ListCardholders(ctx context.Context, actor Actor, f CardholderFilter) ([]CardholderSummary, int, error) {
	f.Normalize()
	if err := f.validate(); err != nil {
		return nil, 0, err
	}
	if actor.Type == ActorOperator {
		tags, err := s.OperatorRestrictions(ctx, actor.OperatorID, f.PartnerID)
		if err != nil {
			return nil, 0, err
		}
		f.Tags = tags
	}
	// A search may be a second stale; the plain list is read where changes are written, so that it
	// shows a new cardholder at once.
	read := s.onPrimary
	if f.Search != "" {
		read = s.read
	}
	var total int
	items := []CardholderSummary{}
	err := read(ctx, func(db *sqlx.DB) error {
		var collect bool
		var err error
		if total, collect, err = s.countCardholders(ctx, db, f); err != nil {
			return err
		}
		_, pageSQL, args := cardholderListSQL(f, collect)
		items = items[:0]
		if total > f.Page.Offset() {
			if err := db.SelectContext(ctx, &items, pageSQL, args...); err != nil {
				return fmt.Errorf("store: unable to list cardholders: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	err = s.Audit(ctx, actor, Event{PartnerID: f.PartnerID, Action: "cardholder.list", ObjectType: "cardholder",
		After: map[string]any{"searchText": f.Search, "sortBy": f.SortBy, "sortOrder": f.SortOrder, "status": f.Status,
			"page": f.Page.Number, "shown": ids}})
	if err != nil {
		return nil, 0, err
	}
	return items, total, nil
}

// ExplainCardholders runs EXPLAIN (ANALYZE, BUFFERS) on the count and page queries of a filter, for
// the performance notes and the benchmark.
func (s *Store) ExplainCardholders(ctx context.Context, f CardholderFilter) (count, page string, err error) {
	f.Normalize()
	if err := f.validate(); err != nil {
		return "", "", err
	}
	_, collect, err := s.countCardholders(ctx, s.db, f)
	if err != nil {
		return "", "", err
	}
	countSQL, pageSQL, args := cardholderListSQL(f, collect)
	if count, err = s.explain(ctx, countSQL, args[:len(args)-2]); err != nil {
		return "", "", err
	}
	page, err = s.explain(ctx, pageSQL, args)
	return count, page, err
}

// countCardholders counts the cardholders a filter matches and, for a search, decides whether its
// page collects the matches.
func (s *Store) countCardholders(ctx context.Context, db *sqlx.DB, f CardholderFilter) (total int, collect bool, err error) {
	countSQL, _, args := cardholderListSQL(f, false)
	if err := db.GetContext(ctx, &total, countSQL, args[:len(args)-2]...); err != nil {
		return 0, false, fmt.Errorf("store: unable to count cardholders: %w", err)
	}
	if f.Search == "" {
		return total, false, nil
	}
	var rows int
	if err := db.GetContext(ctx, &rows, partnerRowsSQL, f.PartnerID); err != nil {
		return 0, false, fmt.Errorf("store: unable to count cardholders: %w", err)
	}
	collect = collectMatches(total, rows, f.Page)
	if s.searchStrategy != nil {
		collect = s.searchStrategy(total, rows, f.Page)
	}
	return total, collect, nil
}

// partnerRowsSQL is the partner's number of cardholders, kept by a trigger (migration 00022):
// counting every cardholder of a large partner on every page would cost more than the page itself.
const partnerRowsSQL = `SELECT COALESCE((SELECT cardholders FROM partner_cardholder_counts WHERE partner_id = $1), 0)`

func (s *Store) explain(ctx context.Context, query string, args []any) (string, error) {
	var lines []string
	if err := s.db.SelectContext(ctx, &lines, `EXPLAIN (ANALYZE, BUFFERS) `+query, args...); err != nil {
		return "", fmt.Errorf("store: unable to explain: %w", err)
	}
	return strings.Join(lines, "\n"), nil
}
