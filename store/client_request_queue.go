package store

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jmoiron/sqlx"
)

// The queue is read partner by partner. With 100,000 pending requests, counting them all and
// checking each against the viewer's grants and tags took seconds on every view
// (docs/performance-console.md); read per partner, a page takes the first rows of each of the
// viewer's partners from an index in the page's order, and its total comes from the counts kept in
// client_request_counts for the partners where the viewer has no tag restriction.

// viewerPartnersCTE lists, as vp, the partners where the viewer ($1, $2, $3 as in Viewer.args)
// holds the permission, each with whether the viewer's tags restrict what they see of it.
var viewerPartnersCTE = `WITH vp AS MATERIALIZED (
	SELECT p.id AS partner_id,
	       NOT $3::boolean AND EXISTS (SELECT 1 FROM operator_tag_restrictions otr
	                                   WHERE otr.operator_id = $1 AND otr.partner_id = p.id) AS restricted
	FROM partners p WHERE ` + partnerAllowedSQL("p.id") + `) `

// taggedSQL is the condition that the request r's cardholder carries one of the viewer's ($1) tags
// for r's partner: what a tag-restricted viewer sees.
const taggedSQL = `EXISTS (SELECT 1 FROM operator_tag_restrictions otr
	JOIN cardholder_tags ct ON ct.tag = otr.tag AND ct.cardholder_id = r.cardholder_id
	WHERE otr.operator_id = $1 AND otr.partner_id = r.partner_id)`

// countable reports whether the filter narrows by status at most, so that the kept counts answer it.
func (f ClientRequestFilter) countable() bool {
	return f.ID == 0 && f.ClientID == 0 && f.Type == "" && f.Client == "" && f.From == nil && f.To == nil
}

// ListClientRequests returns a page of the requests the viewer may see, and how many match in all.
func (s *Store) ListClientRequests(ctx context.Context, v Viewer, f ClientRequestFilter) ([]ClientRequest, int, error) {
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	conds, args := f.conditions(v.args())
	// Each of the viewer's partners gives its first Offset+Limit requests in the page's order (an
	// index scan that stops there); the page is taken from those.
	n := len(args)
	page := viewerPartnersCTE + `SELECT ` + requestColumns + ` FROM vp CROSS JOIN LATERAL (
		SELECT r.id FROM client_requests r JOIN cardholders ch ON ch.id = r.cardholder_id
		WHERE r.partner_id = vp.partner_id AND (NOT vp.restricted OR ` + taggedSQL + `)` + conds + f.orderBy() + `
		LIMIT $` + strconv.Itoa(n+1) + `) q
	JOIN client_requests r ON r.id = q.id
	JOIN cardholders ch ON ch.id = r.cardholder_id
	LEFT JOIN resolutions res ON res.id = r.resolution_id` + f.orderBy() +
		` LIMIT $` + strconv.Itoa(n+2) + ` OFFSET $` + strconv.Itoa(n+3)
	pageArgs := append(args[:n:n], f.Offset+f.Limit, f.Limit, f.Offset)
	count := requestCountSQL(f, conds)
	// A search by client may be a second stale; the queue itself is read where decisions are written,
	// so that it shows a decision as soon as it is made.
	read := s.onPrimary
	if f.Client != "" {
		read = s.read
	}
	var total int
	out := []ClientRequest{}
	err := read(ctx, func(db *sqlx.DB) error {
		if err := db.GetContext(ctx, &total, count, args...); err != nil {
			return fmt.Errorf("store: unable to count client requests: %w", err)
		}
		out = out[:0]
		if err := db.SelectContext(ctx, &out, page, pageArgs...); err != nil {
			return fmt.Errorf("store: unable to list client requests: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return named(out), total, nil
}

// requestCountSQL counts the requests matching the filter (its conditions conds) that the viewer
// may see: from the kept counts for the partners where the viewer's tags do not restrict them when
// the filter allows, by reading the requests otherwise; always by reading them, through the index of
// the tags, for the partners where they do.
func requestCountSQL(f ClientRequestFilter, conds string) string {
	join := ""
	if f.Client != "" {
		join = ` JOIN cardholders ch ON ch.id = r.cardholder_id`
	}
	open := `(SELECT count(*) FROM vp JOIN client_requests r ON r.partner_id = vp.partner_id` + join +
		` WHERE NOT vp.restricted` + conds + `)`
	if f.countable() {
		status := ""
		if f.Status != nil {
			status = ` AND c.status = $4`
		}
		open = `(SELECT COALESCE(sum(c.requests), 0) FROM vp JOIN client_request_counts c ON c.partner_id = vp.partner_id
			WHERE NOT vp.restricted` + status + `)`
	}
	restricted := `(SELECT count(*) FROM vp JOIN client_requests r ON r.partner_id = vp.partner_id` + join +
		` WHERE vp.restricted AND ` + taggedSQL + conds + `)`
	return viewerPartnersCTE + `SELECT (` + open + ` + ` + restricted + `)::bigint`
}
