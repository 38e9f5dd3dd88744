package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// tagPattern is the form of a cardholder tag: lower-case letters, digits, '-' and '_'.
var tagPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,49}$`)

// normalizeTags lower-cases, trims, de-duplicates and sorts tags, reporting a bad one under field.
func normalizeTags(tags []string, field string) ([]string, error) {
	out := make([]string, 0, len(tags))
	var v Validation
	for _, t := range tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if !tagPattern.MatchString(t) {
			v.Add(field, fmt.Sprintf("tag %q must be 1 to 50 lower-case letters, digits, '-' or '_'", t))
			continue
		}
		out = append(out, t)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// SetCardholderTags replaces the tags of a cardholder of the partner.
func (s *Store) SetCardholderTags(ctx context.Context, actor Actor, partnerID, cardholderID int64, tags []string) ([]string, error) {
	tags, err := normalizeTags(tags, "tag")
	if err != nil {
		return nil, err
	}
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		var id int64
		err := tx.GetContext(ctx, &id, `SELECT id FROM cardholders WHERE id = $1 AND partner_id = $2 FOR UPDATE`,
			cardholderID, partnerID)
		if errors.Is(err, sql.ErrNoRows) {
			return NewError(CodeUserNotFound, "cardholder not found")
		}
		if err != nil {
			return fmt.Errorf("store: unable to find cardholder: %w", err)
		}
		var before []string
		if err := tx.SelectContext(ctx, &before, `SELECT tag FROM cardholder_tags WHERE cardholder_id = $1 ORDER BY tag`,
			cardholderID); err != nil {
			return fmt.Errorf("store: unable to read cardholder tags: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM cardholder_tags WHERE cardholder_id = $1`, cardholderID); err != nil {
			return fmt.Errorf("store: unable to clear cardholder tags: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO cardholder_tags (cardholder_id, tag) SELECT $1, unnest($2::text[])`,
			cardholderID, pq.Array(tags)); err != nil {
			return fmt.Errorf("store: unable to tag cardholder: %w", err)
		}
		return writeAudit(ctx, tx, actor, Event{PartnerID: partnerID, Action: "cardholder.tags", ObjectType: "cardholder",
			ObjectID: cardholderID, Before: map[string]any{"tags": before}, After: map[string]any{"tags": tags}})
	})
	return tags, err
}

// CardholderTags lists a cardholder's tags.
func (s *Store) CardholderTags(ctx context.Context, cardholderID int64) ([]string, error) {
	tags := []string{}
	if err := s.db.SelectContext(ctx, &tags, `SELECT tag FROM cardholder_tags WHERE cardholder_id = $1 ORDER BY tag`,
		cardholderID); err != nil {
		return nil, fmt.Errorf("store: unable to read cardholder tags: %w", err)
	}
	return tags, nil
}

// RestrictOperator replaces the tags an operator is restricted to on a partner: from then on the
// operator sees only that partner's cardholders (and their requests) carrying one of the tags. No
// tags lifts the restriction.
func (s *Store) RestrictOperator(ctx context.Context, actor Actor, operatorID, partnerID int64, tags []string) ([]string, error) {
	tags, err := normalizeTags(tags, "tag")
	if err != nil {
		return nil, err
	}
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := s.partnerExists(ctx, tx, partnerID); err != nil {
			return err
		}
		// Locking the operator serialises concurrent replacements of the same set.
		var id int64
		if err := tx.GetContext(ctx, &id, `SELECT id FROM operators WHERE id = $1 FOR UPDATE`, operatorID); err != nil {
			return fmt.Errorf("store: unable to find operator: %w", notFoundIf(err, "operator"))
		}
		var before []string
		if err := tx.SelectContext(ctx, &before, `SELECT tag FROM operator_tag_restrictions
			WHERE operator_id = $1 AND partner_id = $2 ORDER BY tag`, operatorID, partnerID); err != nil {
			return fmt.Errorf("store: unable to read restrictions: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM operator_tag_restrictions WHERE operator_id = $1 AND partner_id = $2`,
			operatorID, partnerID); err != nil {
			return fmt.Errorf("store: unable to clear restrictions: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO operator_tag_restrictions (operator_id, partner_id, tag)
			SELECT $1, $2, unnest($3::text[])`, operatorID, partnerID, pq.Array(tags)); err != nil {
			return fmt.Errorf("store: unable to restrict operator: %w", err)
		}
		return writeAudit(ctx, tx, actor, Event{PartnerID: partnerID, Action: "operator.restrict", ObjectType: "operator",
			ObjectID: operatorID, Before: map[string]any{"tags": before}, After: map[string]any{"tags": tags}})
	})
	return tags, err
}

// OperatorRestrictions lists the tags an operator is restricted to on a partner (none: unrestricted).
func (s *Store) OperatorRestrictions(ctx context.Context, operatorID, partnerID int64) ([]string, error) {
	tags := []string{}
	if err := s.db.SelectContext(ctx, &tags, `SELECT tag FROM operator_tag_restrictions
		WHERE operator_id = $1 AND partner_id = $2 ORDER BY tag`, operatorID, partnerID); err != nil {
		return nil, fmt.Errorf("store: unable to read restrictions: %w", err)
	}
	return tags, nil
}

// TagVisibleSQL is the SQL condition that the cardholder in column cardholderCol, of the partner in
// column partnerCol, is visible to the operator whose id is the query parameter operatorParam
// (such as "$1"): the operator has no tag restriction on that partner, or the cardholder carries one
// of the operator's tags. Every list or lookup of cardholders and their requests includes it.
func TagVisibleSQL(cardholderCol, partnerCol, operatorParam string) string {
	return `(NOT EXISTS (SELECT 1 FROM operator_tag_restrictions otr
	                     WHERE otr.operator_id = ` + operatorParam + ` AND otr.partner_id = ` + partnerCol + `)
	         OR EXISTS (SELECT 1 FROM operator_tag_restrictions otr
	                    JOIN cardholder_tags ct ON ct.tag = otr.tag AND ct.cardholder_id = ` + cardholderCol + `
	                    WHERE otr.operator_id = ` + operatorParam + ` AND otr.partner_id = ` + partnerCol + `))`
}

// CardholderVisible reports whether the operator may see the cardholder of the partner under their
// tag restrictions (grants are checked by the caller).
func (s *Store) CardholderVisible(ctx context.Context, operatorID, partnerID, cardholderID int64) (bool, error) {
	var ok bool
	err := s.db.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM cardholders c WHERE c.id = $2 AND c.partner_id = $3 AND `+
		TagVisibleSQL("c.id", "c.partner_id", "$1")+`)`, operatorID, cardholderID, partnerID)
	if err != nil {
		return false, fmt.Errorf("store: unable to check cardholder visibility: %w", err)
	}
	return ok, nil
}

// CardVisible reports whether the operator may see the partner's card under their tag restrictions:
// a stock card, or a card of a cardholder they may see.
func (s *Store) CardVisible(ctx context.Context, operatorID, partnerID, cardID int64) (bool, error) {
	var ok bool
	err := s.db.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM cards c WHERE c.id = $2 AND c.partner_id = $3
		AND (c.cardholder_id IS NULL OR `+TagVisibleSQL("c.cardholder_id", "c.partner_id", "$1")+`))`, operatorID, cardID, partnerID)
	if err != nil {
		return false, fmt.Errorf("store: unable to check card visibility: %w", err)
	}
	return ok, nil
}
