package store

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// SearchGroupLimit is the most results one group of the header search shows.
const SearchGroupLimit = 5

// Groups of the header search.
const (
	SearchCardholders    = "cardholders"
	SearchCards          = "cards"
	SearchTopUps         = "topUps"
	SearchClientRequests = "clientRequests"
)

// SearchHit is one result: what it is, where it lives and a line to show.
type SearchHit struct {
	ID           int64            `db:"id" json:"id"`
	PartnerID    int64            `db:"partner_id" json:"partnerId"`
	CardholderID *int64           `db:"cardholder_id" json:"cardholderId"`
	Title        string           `db:"title" json:"title"`
	Subtitle     string           `db:"subtitle" json:"subtitle"`
	Status       string           `db:"status" json:"status"`
	Amount       *decimal.Decimal `db:"amount" json:"amount"`
	Currency     *string          `db:"currency" json:"currency"`
	CreatedAt    time.Time        `db:"created_at" json:"createdAt"`
}

// SearchGroup is the first SearchGroupLimit results of one kind and whether there are more.
type SearchGroup struct {
	Name  string      `json:"name"`
	Items []SearchHit `json:"items"`
	More  bool        `json:"more"`
}

// lastFour is a query that can only be a card's last four digits or an id.
var (
	lastFour = regexp.MustCompile(`^[0-9]{4}$`)
	anID     = regexp.MustCompile(`^[0-9]{1,18}$`)
)

// searchQueries are the statements of each group: $1 operator, $2 permission, $3 system flag (the
// viewer's parameters, viewer.go), $4 the query as the group reads it, $5 the limit.
var searchQueries = map[string]string{
	SearchCardholders: `
		SELECT ch.id, ch.partner_id, ch.id AS cardholder_id, ch.name || ' ' || ch.last_name AS title,
		       ch.email || ' · ' || ch.phone_number || ' · ' || ch.document_type || ' ' || ch.document_number AS subtitle,
		       ch.status, NULL::numeric AS amount, NULL::text AS currency, ch.created_at
		FROM cardholders ch
		WHERE (ch.email ILIKE $4 OR ch.phone_number ILIKE $4 OR ch.document_number ILIKE $4
		       OR (ch.name || ' ' || ch.last_name) ILIKE $4)
		  AND ` + viewerVisibleSQL("ch.id", "ch.partner_id") + `
		ORDER BY ch.id DESC LIMIT $5`,
	SearchCards: `
		SELECT c.id, c.partner_id, c.cardholder_id, c.bin || '******' || c.last4 AS title,
		       COALESCE(ch.name || ' ' || ch.last_name, 'Stock card') AS subtitle, c.status,
		       a.balance AS amount, a.currency::text AS currency, c.created_at
		FROM cards c JOIN accounts a ON a.id = c.account_id LEFT JOIN cardholders ch ON ch.id = c.cardholder_id
		WHERE c.last4 = $4 AND ` + partnerAllowedSQL("c.partner_id") + `
		  AND (c.cardholder_id IS NULL OR $3::boolean OR ` + TagVisibleSQL("c.cardholder_id", "c.partner_id", "$1") + `)
		ORDER BY c.id DESC LIMIT $5`,
	SearchTopUps: `
		SELECT pr.id, pr.partner_id, NULL::bigint AS cardholder_id, 'Top-up #' || pr.id AS title, pr.observations AS subtitle,
		       pr.status, pr.requested_amount AS amount, pr.currency::text AS currency, pr.created_at
		FROM process_requests pr
		WHERE pr.id = $4::text::bigint AND ` + partnerAllowedSQL("pr.partner_id") + `
		LIMIT $5`,
	SearchClientRequests: `
		SELECT cr.id, cr.partner_id, cr.cardholder_id, 'Request #' || cr.id || ' (' || cr.type || ')' AS title,
		       ch.name || ' ' || ch.last_name AS subtitle, cr.status::text AS status, cr.amount, cr.currency::text AS currency,
		       cr.created_at
		FROM client_requests cr JOIN cardholders ch ON ch.id = cr.cardholder_id
		WHERE cr.id = $4::text::bigint AND ` + viewerVisibleSQL("cr.cardholder_id", "cr.partner_id") + `
		LIMIT $5`,
}

// searchPermissions is the permission each group needs on a partner to show its results there.
var searchPermissions = map[string]string{
	SearchCardholders: "cardholders:list", SearchCards: "cards-admin:detail",
	SearchTopUps: "balance-management:list", SearchClientRequests: "approvals:list",
}

// SearchStatement is one statement the header search runs for a query: its group, its SQL and its
// arguments.
type SearchStatement struct {
	Group string
	SQL   string
	Args  []any
}

// SearchStatements are the statements Search runs, in order, to look q up for the operator: the
// cardholders by a fragment (at least three letters or digits in a row, the rule of the cardholder
// list), the cards when q is four digits, the top-ups and client requests when q is an id. Each
// asks for one row more than SearchGroupLimit, to know whether there are more.
func SearchStatements(operatorID int64, q string) ([]SearchStatement, error) {
	q = strings.TrimSpace(q)
	var v Validation
	switch {
	case len([]rune(q)) > MaxSearchText:
		v.Add("q", fmt.Sprintf("q must have at most %d characters", MaxSearchText))
	case !SearchableText(q):
		v.Add("q", "q must contain at least 3 letters or digits in a row")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out []SearchStatement
	add := func(name, arg string) {
		args := append(OperatorViewer(operatorID, searchPermissions[name]).args(), arg, SearchGroupLimit+1)
		out = append(out, SearchStatement{Group: name, SQL: searchQueries[name], Args: args})
	}
	add(SearchCardholders, likeContains(q))
	if lastFour.MatchString(q) {
		add(SearchCards, q)
	}
	if anID.MatchString(q) {
		if _, err := strconv.ParseInt(q, 10, 64); err == nil {
			add(SearchTopUps, q)
			add(SearchClientRequests, q)
		}
	}
	return out, nil
}

// Search looks q up across every partner where the operator holds each group's permission, within
// their tag restrictions (SearchStatements). Each group has at most SearchGroupLimit results.
func (s *Store) Search(ctx context.Context, operatorID int64, q string) ([]SearchGroup, error) {
	stmts, err := SearchStatements(operatorID, q)
	if err != nil {
		return nil, err
	}
	groups := make([]SearchGroup, 0, len(stmts))
	for _, st := range stmts {
		hits := []SearchHit{}
		if err := s.db.SelectContext(ctx, &hits, st.SQL, st.Args...); err != nil {
			return nil, fmt.Errorf("store: unable to search %s: %w", st.Group, err)
		}
		g := SearchGroup{Name: st.Group, Items: hits}
		if len(hits) > SearchGroupLimit {
			g.Items, g.More = hits[:SearchGroupLimit], true
		}
		groups = append(groups, g)
	}
	return groups, nil
}
