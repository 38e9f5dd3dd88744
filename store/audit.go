package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Actor says who does something and from where; every state change records it in the audit log.
type Actor struct {
	Type       string // OPERATOR, APPLICATION, SYSTEM or ANONYMOUS
	OperatorID int64
	AppID      int64
	Label      string // email of the operator or name of the application
	RequestID  string
	IP         string
}

// Actor types.
const (
	ActorOperator    = "OPERATOR"
	ActorApplication = "APPLICATION"
	ActorSystem      = "SYSTEM"
	ActorAnonymous   = "ANONYMOUS"
)

// SystemActor is the actor of command-line and seeding operations.
func SystemActor(label string) Actor { return Actor{Type: ActorSystem, Label: label} }

func (a Actor) id() *int64 {
	switch {
	case a.Type == ActorOperator && a.OperatorID != 0:
		return &a.OperatorID
	case a.Type == ActorApplication && a.AppID != 0:
		return &a.AppID
	}
	return nil
}

func (a Actor) kind() string {
	if a.Type == "" {
		return ActorAnonymous
	}
	return a.Type
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID         int64     `db:"id" json:"id"`
	At         time.Time `db:"at" json:"at"`
	ActorType  string    `db:"actor_type" json:"actorType"`
	ActorID    *int64    `db:"actor_id" json:"actorId"`
	ActorLabel string    `db:"actor_label" json:"actorLabel"`
	PartnerID  *int64    `db:"partner_id" json:"partnerId"`
	Action     string    `db:"action" json:"action"`
	ObjectType string    `db:"object_type" json:"objectType"`
	ObjectID   string    `db:"object_id" json:"objectId"`
	Before     JSONB     `db:"before" json:"before,omitempty"`
	After      JSONB     `db:"after" json:"after,omitempty"`
	RequestID  string    `db:"request_id" json:"requestId"`
	IP         string    `db:"ip" json:"ip"`
	// PartnerName and ObjectLabel name the partner and the object (a cardholder's name, an
	// operator's email, a partner's name) for the console's audit log; empty where there is none.
	PartnerName string `db:"partner_name" json:"-"`
	ObjectLabel string `db:"object_label" json:"-"`
}

// Event describes an audited action: what happened to which object, with its state before and after.
type Event struct {
	PartnerID  int64 // 0 when the action belongs to no partner (a login)
	Action     string
	ObjectType string
	ObjectID   any
	Before     any
	After      any
}

// Audit appends an entry outside any other transaction (logins, refused authorizations, reads of
// personal data).
func (s *Store) Audit(ctx context.Context, actor Actor, ev Event) error {
	return writeAudit(ctx, s.db, actor, ev)
}

// writeAudit appends an entry using q, which is the transaction of the change when there is one.
func writeAudit(ctx context.Context, q sqlx.ExecerContext, actor Actor, ev Event) error {
	args, err := auditArgs(actor, ev)
	if err != nil {
		return err
	}
	if _, err = q.ExecContext(ctx, auditInsert, args...); err != nil {
		return fmt.Errorf("store: unable to write audit log: %w", err)
	}
	return nil
}

// auditInsert appends an audit entry from the eleven parameters of auditArgs. A statement that
// also does something else in the same round trip may run it as a WITH clause and number its own
// parameters from $12.
const auditInsert = `
	INSERT INTO audit_log (actor_type, actor_id, actor_label, partner_id, action, object_type, object_id,
	                       before, after, request_id, ip)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`

// auditRecord is an audit entry as it is written.
type auditRecord struct {
	ActorType  string          `json:"actor_type"`
	ActorID    *int64          `json:"actor_id"`
	ActorLabel string          `json:"actor_label"`
	PartnerID  *int64          `json:"partner_id"`
	Action     string          `json:"action"`
	ObjectType string          `json:"object_type"`
	ObjectID   string          `json:"object_id"`
	Before     json.RawMessage `json:"before"`
	After      json.RawMessage `json:"after"`
	RequestID  string          `json:"request_id"`
	IP         string          `json:"ip"`
}

// newAuditRecord is the entry of ev done by actor.
func newAuditRecord(actor Actor, ev Event) (auditRecord, error) {
	before, err := jsonOrNil(ev.Before)
	if err != nil {
		return auditRecord{}, err
	}
	after, err := jsonOrNil(ev.After)
	if err != nil {
		return auditRecord{}, err
	}
	r := auditRecord{ActorType: actor.kind(), ActorID: actor.id(), ActorLabel: actor.Label, Action: ev.Action,
		ObjectType: ev.ObjectType, Before: before, After: after, RequestID: actor.RequestID, IP: actor.IP}
	if ev.PartnerID != 0 {
		r.PartnerID = &ev.PartnerID
	}
	if ev.ObjectID != nil {
		r.ObjectID = fmt.Sprint(ev.ObjectID)
	}
	return r, nil
}

// auditArgs are the parameters of auditInsert for ev done by actor.
func auditArgs(actor Actor, ev Event) ([]any, error) {
	r, err := newAuditRecord(actor, ev)
	if err != nil {
		return nil, err
	}
	return []any{r.ActorType, r.ActorID, r.ActorLabel, r.PartnerID, r.Action, r.ObjectType, r.ObjectID,
		nullJSON(r.Before), nullJSON(r.After), r.RequestID, r.IP}, nil
}

func jsonOrNil(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("store: unable to encode audit state: %w", err)
	}
	return b, nil
}

// AuditFilter narrows the audit log listing.
type AuditFilter struct {
	ViewerID   int64   // the operator reading; their tag restrictions hide entries about cardholders outside their tags
	PartnerIDs []int64 // partners whose entries the viewer may see
	PartnerID  int64   // one of them, or 0 for all
	Action     string  // prefix of the action, e.g. "auth." or "card."
	Actor      string  // substring of the actor label
	Page       Page
}

// ListAudit returns a page of entries, newest first, visible to a viewer allowed on f.PartnerIDs:
// the entries of those partners and the logins of operators who work on them, less the entries
// about cardholders (and their cards and requests) that the viewer's tag restriction hides.
func (s *Store) ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, int, error) {
	where, args := f.where()
	// The audit log tolerates a second of staleness: it is read on the replica when there is one.
	var total int
	var entries []AuditEntry
	err := s.read(ctx, func(db *sqlx.DB) error {
		if err := db.GetContext(ctx, &total, `SELECT count(*) FROM audit_log a WHERE `+where, args...); err != nil {
			return fmt.Errorf("store: unable to count audit log: %w", err)
		}
		n := len(args)
		entries = []AuditEntry{} // an empty page is [] in JSON, never null
		err := db.SelectContext(ctx, &entries, `
		SELECT `+auditColumns+` FROM audit_log a WHERE `+where+`
		`+auditOrder+` LIMIT $`+strconv.Itoa(n+1)+` OFFSET $`+strconv.Itoa(n+2), append(args[:n:n], f.Page.Limit, f.Page.Offset())...)
		if err != nil {
			return fmt.Errorf("store: unable to list audit log: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return entries, total, nil
}

// auditColumns select an AuditEntry of audit_log a; auditOrder is the log's order, newest first.
const (
	auditColumns = `id, at, actor_type, actor_id, actor_label, partner_id, action, object_type, object_id,
		       before, after, request_id, ip,
		       COALESCE((SELECT p.name FROM partners p WHERE p.id = a.partner_id), '') AS partner_name,
		       COALESCE(CASE WHEN a.object_id ~ '^[0-9]{1,18}$' THEN CASE a.object_type
		           WHEN 'cardholder' THEN (SELECT ch.name || ' ' || ch.last_name FROM cardholders ch WHERE ch.id = a.object_id::bigint)
		           WHEN 'operator' THEN (SELECT o.email FROM operators o WHERE o.id = a.object_id::bigint)
		           WHEN 'partner' THEN (SELECT p.name FROM partners p WHERE p.id = a.object_id::bigint)
		       END END, '') AS object_label`
	auditOrder = `ORDER BY id DESC`
)

// where is the filter's WHERE clause over audit_log a.
func (f AuditFilter) where() (string, []any) {
	where := `(a.partner_id = ANY($1) OR (a.partner_id IS NULL AND a.actor_type = 'OPERATOR' AND EXISTS (
	            SELECT 1 FROM operator_permissions p WHERE p.operator_id = a.actor_id AND p.partner_id = ANY($1))))`
	args := []any{pq.Array(f.PartnerIDs), f.ViewerID}
	where += ` AND ` + auditTagScopeSQL("$2")
	if f.PartnerID != 0 {
		args = append(args, f.PartnerID)
		where += ` AND a.partner_id = $` + strconv.Itoa(len(args))
	}
	if f.Action != "" {
		args = append(args, likePrefix(f.Action))
		where += ` AND a.action LIKE $` + strconv.Itoa(len(args))
	}
	if f.Actor != "" {
		args = append(args, likeContains(f.Actor))
		where += ` AND a.actor_label ILIKE $` + strconv.Itoa(len(args))
	}
	return where, args
}
