package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// The Each… functions below feed the list downloads: each runs its list's own WHERE clause and
// ORDER BY, without paging, and hands the rows to fn one at a time as the database sends them,
// never collected. A download may be a second stale, so they read on the replica when there is one.

// eachRow runs query on the reader and calls fn with each row scanned into a T. The replica is left
// for the primary only when the query cannot be started there, before any row was handed on.
func eachRow[T any](ctx context.Context, s *Store, what, query string, args []any, fn func(T) error) error {
	var rows *sqlx.Rows
	err := s.read(ctx, func(db *sqlx.DB) (err error) {
		rows, err = db.QueryxContext(ctx, query, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: unable to export %s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		var row T
		if err := rows.StructScan(&row); err != nil {
			return fmt.Errorf("store: unable to read %s: %w", what, err)
		}
		if err := fn(row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: unable to export %s: %w", what, err)
	}
	return nil
}

// EachCardholder calls fn for every cardholder the list shows for f (its search, status, sort and
// the operator's tag restriction), in the list's order.
func (s *Store) EachCardholder(ctx context.Context, actor Actor, f CardholderFilter, fn func(CardholderSummary) error) error {
	f.Normalize()
	if err := f.validate(); err != nil {
		return err
	}
	if actor.Type == ActorOperator {
		tags, err := s.OperatorRestrictions(ctx, actor.OperatorID, f.PartnerID)
		if err != nil {
			return err
		}
		f.Tags = tags
	}
	_, query, args := cardholderListSQL(f, false)
	// The page query's LIMIT and OFFSET: no limit (NULL), from the first row.
	args[len(args)-2], args[len(args)-1] = nil, 0
	return eachRow(ctx, s, "cardholders", query, args, fn)
}

// EachCard calls fn for every card the list shows for f, newest first.
func (s *Store) EachCard(ctx context.Context, f CardFilter, fn func(Card) error) error {
	where, args, err := f.where()
	if err != nil {
		return err
	}
	return eachRow(ctx, s, "cards", `SELECT `+cardColumns+` FROM cards c JOIN accounts a ON a.id = c.account_id
		WHERE `+where+cardListOrder, args, fn)
}

// EachProcessRequest calls fn for every top-up the history lists for f, in its sort.
func (s *Store) EachProcessRequest(ctx context.Context, f ProcessRequestFilter, fn func(ProcessRequest) error) error {
	if err := f.Check(); err != nil {
		return err
	}
	where, args := f.where()
	return eachRow(ctx, s, "top-ups", processRequestSelect+where+f.orderBy(), args, fn)
}

// EachBulkBatch calls fn for every batch the list shows for f, newest first.
func (s *Store) EachBulkBatch(ctx context.Context, f BulkFilter, fn func(BulkBatch) error) error {
	return eachRow(ctx, s, "batches", `SELECT `+bulkBatchColumns+` FROM bulk_batches b WHERE `+bulkFilterWhere+` `+bulkListOrder,
		[]any{f.PartnerID, f.Kind, f.Status, f.FailedSince}, fn)
}

// EachAuditEntry calls fn for every entry the audit log lists for f, newest first.
func (s *Store) EachAuditEntry(ctx context.Context, f AuditFilter, fn func(AuditEntry) error) error {
	where, args := f.where()
	return eachRow(ctx, s, "audit log", `SELECT `+auditColumns+` FROM audit_log a WHERE `+where+` `+auditOrder, args, fn)
}

// EachMovement calls fn for every movement of the card the list shows for f (its period, which may
// be open at either end, and its sort). The caller has checked that the card is the partner's.
func (s *Store) EachMovement(ctx context.Context, f MovementFilter, fn func(MovementRow) error) error {
	if err := f.Validate(); err != nil {
		return err
	}
	query, args := f.selectRows(false)
	return eachRow(ctx, s, "movements", query, args, fn)
}
