package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lib/pq"
	"github.com/shopspring/decimal"
)

// Kinds of activity in a cardholder's or a card's timeline.
const (
	ActivityProfile  = "profile"  // created, edited, closed
	ActivityCard     = "card"     // a card's status changes, with their reasons
	ActivityFunds    = "funds"    // loads, unloads, transfers and replacements
	ActivityReversal = "reversal" // reversal requests, decisions and their movements
	ActivityRead     = "read"     // reads of the personal data
	ActivityRequest  = "request"  // client requests
)

// ActivityKinds are the kinds a timeline may be filtered by.
var ActivityKinds = []string{ActivityProfile, ActivityCard, ActivityFunds, ActivityReversal, ActivityRead, ActivityRequest}

// Activity is one line of a timeline, from the audit log, the card history, the ledger or the
// client requests.
type Activity struct {
	At       time.Time        `db:"at" json:"at"`
	Kind     string           `db:"kind" json:"kind"`
	Action   string           `db:"action" json:"action"`
	CardID   *int64           `db:"card_id" json:"cardId"`
	Amount   *decimal.Decimal `db:"amount" json:"amount"`
	Currency *string          `db:"currency" json:"currency"`
	Actor    string           `db:"actor" json:"actor"`
	Detail   string           `db:"detail" json:"detail"`
	Source   string           `db:"source" json:"source"` // audit, card-history, movement or client-request
	SourceID int64            `db:"source_id" json:"sourceId"`
}

// ActivityFilter selects a page of a timeline: a cardholder's, or one of their cards' when CardID is set.
type ActivityFilter struct {
	PartnerID    int64
	CardholderID int64
	CardID       int64    // 0: the whole cardholder
	Kinds        []string // empty: every kind
	Page         Page
}

// activitySQL is the timeline: every source scoped to the cardholder (and card) in $1 partner, $2
// cardholder, $3 card (0 for all), filtered by the kinds in $4 (NULL for all).
const activitySQL = `
	WITH own_cards AS (SELECT id FROM cards WHERE partner_id = $1 AND cardholder_id = $2 AND ($3::bigint = 0 OR id = $3)),
	lines AS (
	    SELECT a.at, CASE WHEN a.action = 'cardholder.read' THEN 'read' ELSE 'profile' END AS kind, a.action,
	           NULL::bigint AS card_id, NULL::numeric AS amount, NULL::text AS currency, a.actor_label AS actor,
	           COALESCE(a.after->>'reason', array_to_string(ARRAY(SELECT jsonb_array_elements_text(a.after->'changed')), ', '), '') AS detail,
	           'audit' AS source, a.id AS source_id
	    FROM audit_log a
	    WHERE $3::bigint = 0 AND a.object_type = 'cardholder' AND a.object_id = $2::text AND a.partner_id = $1
	      AND a.action IN ('cardholder.create', 'cardholder.update', 'cardholder.close', 'cardholder.read')
	    UNION ALL
	    SELECT a.at, 'reversal', a.action, r.card_id, r.amount, r.currency::text, a.actor_label,
	           CASE WHEN a.action = 'reversal.reject' THEN COALESCE(r.reject_reason, '') ELSE r.reason END,
	           'audit', a.id
	    FROM reversals r JOIN audit_log a ON a.object_type = 'reversal' AND a.object_id = r.id::text AND a.partner_id = $1
	    WHERE r.partner_id = $1 AND r.cardholder_id = $2 AND r.card_id IN (SELECT id FROM own_cards)
	      AND a.action IN ('reversal.request', 'reversal.approve', 'reversal.reject')
	    UNION ALL
	    SELECT h.at, 'card', 'card.' || lower(h.to_status), h.card_id, NULL, NULL, h.actor_label,
	           h.from_status || ' → ' || h.to_status || CASE WHEN h.reason <> '' THEN ' (' || h.reason || ')' ELSE '' END,
	           'card-history', h.id
	    FROM card_history h WHERE h.partner_id = $1 AND h.card_id IN (SELECT id FROM own_cards)
	    UNION ALL
	    SELECT m.created_at, CASE WHEN m.type = 'REVERSAL' THEN 'reversal' ELSE 'funds' END, m.type, m.card_id,
	           m.amount, m.currency::text, m.actor_label, m.description, 'movement', m.id
	    FROM movements m WHERE m.partner_id = $1 AND m.card_id IN (SELECT id FROM own_cards)
	    UNION ALL
	    SELECT cr.created_at, 'request', 'client-request.' || cr.type, NULL, cr.amount, cr.currency::text,
	           cr.submitted_by_label, '', 'client-request', cr.id
	    FROM client_requests cr WHERE $3::bigint = 0 AND cr.partner_id = $1 AND cr.cardholder_id = $2
	)
	SELECT at, kind, action, card_id, amount, currency, actor, detail, source, source_id, count(*) OVER () AS total
	FROM lines WHERE $4::text[] IS NULL OR kind = ANY($4::text[])
	ORDER BY at DESC, source DESC, source_id DESC
	LIMIT $5 OFFSET $6`

// ListActivity returns a page of the timeline, newest first, and how many lines it has. A
// cardholder of another partner is 7100, a card not theirs 7200.
func (s *Store) ListActivity(ctx context.Context, f ActivityFilter) ([]Activity, int, error) {
	var v Validation
	for _, k := range f.Kinds {
		if !slices.Contains(ActivityKinds, k) && !v.Has("kind") {
			v.Add("kind", "kind must be one or more of "+strings.Join(ActivityKinds, ", "))
		}
	}
	if err := v.Err(); err != nil {
		return nil, 0, err
	}
	if err := cardholderExists(ctx, s.db, f.PartnerID, f.CardholderID); err != nil {
		return nil, 0, err
	}
	if f.CardID != 0 {
		if _, err := s.CardOfHolder(ctx, f.PartnerID, f.CardholderID, f.CardID); err != nil {
			return nil, 0, err
		}
	}
	var kinds any
	if len(f.Kinds) > 0 {
		kinds = pq.Array(f.Kinds)
	}
	var rows []struct {
		Activity
		Total int `db:"total"`
	}
	err := s.db.SelectContext(ctx, &rows, activitySQL, f.PartnerID, f.CardholderID, f.CardID, kinds, f.Page.Limit, f.Page.Offset())
	if err != nil {
		return nil, 0, fmt.Errorf("store: unable to list activity: %w", err)
	}
	out := make([]Activity, len(rows))
	total := 0
	for i, r := range rows {
		out[i], total = r.Activity, r.Total
	}
	if len(rows) == 0 && f.Page.Offset() > 0 {
		// Past the last page: the window function had no row to report the total on.
		var n int
		if err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM (`+strings.Replace(activitySQL, "LIMIT $5 OFFSET $6", "", 1)+`) t`,
			f.PartnerID, f.CardholderID, f.CardID, kinds); err != nil {
			return nil, 0, fmt.Errorf("store: unable to count activity: %w", err)
		}
		total = n
	}
	return out, total, nil
}
