package store

import (
	"context"
	"fmt"
	"time"
)

// RequestClient is the client of a request as its reviewer needs to see them.
type RequestClient struct {
	ID                    int64      `db:"id" json:"id"`
	Name                  string     `db:"name" json:"name"`
	LastName              string     `db:"last_name" json:"lastName"`
	Email                 string     `db:"email" json:"email"`
	PhoneNumber           string     `db:"phone_number" json:"phoneNumber"`
	Address               string     `db:"address" json:"address"`
	DocumentType          string     `db:"document_type" json:"documentType"`
	DocumentNumber        string     `db:"document_number" json:"documentNumber"`
	VerifiedAt            *time.Time `db:"verified_at" json:"verifiedAt"`
	VerificationReference *string    `db:"verification_reference" json:"verificationReference"`
	Tags                  []string   `db:"-" json:"tags"`
	// Masked says the personal details are hidden because the reader must give a one-time code to
	// see them (cardholders:otp); the cardholder detail shows them with the code.
	Masked bool `db:"-" json:"personalDataMasked"`
}

// RequestComment is an internal comment on a request.
type RequestComment struct {
	ID          int64     `db:"id" json:"id"`
	Body        string    `db:"body" json:"body"`
	AuthorLabel string    `db:"author_label" json:"author"`
	CreatedAt   time.Time `db:"created_at" json:"createdAt"`
}

// RequestDetail is a request with its client, the client's cards, the comments and the history.
type RequestDetail struct {
	ClientRequest
	Client   RequestClient    `json:"client"`
	Cards    []Card           `json:"cards"`
	Comments []RequestComment `json:"comments"`
	History  []AuditEntry     `json:"history"`
}

// ClientRequestDetail returns a request the viewer may see with everything its review needs. It
// shows the client's personal data, so the read is audited.
func (s *Store) ClientRequestDetail(ctx context.Context, actor Actor, v Viewer, id int64) (RequestDetail, error) {
	var d RequestDetail
	r, err := s.ClientRequestByID(ctx, v, id)
	if err != nil {
		return d, err
	}
	d.ClientRequest = r
	if err := s.db.GetContext(ctx, &d.Client, `SELECT id, name, last_name, email, phone_number, address, document_type,
		document_number, verified_at, verification_reference FROM cardholders WHERE id = $1`, r.ClientID); err != nil {
		return d, fmt.Errorf("store: unable to read client: %w", err)
	}
	if d.Client.Tags, err = s.CardholderTags(ctx, r.ClientID); err != nil {
		return d, err
	}
	d.Cards = []Card{}
	if err := s.db.SelectContext(ctx, &d.Cards, `SELECT `+cardColumns+` FROM cards c JOIN accounts a ON a.id = c.account_id
		WHERE c.cardholder_id = $1 AND c.partner_id = $2 ORDER BY c.id`, r.ClientID, r.PartnerID); err != nil {
		return d, fmt.Errorf("store: unable to read client cards: %w", err)
	}
	d.Comments = []RequestComment{}
	if err := s.db.SelectContext(ctx, &d.Comments, `SELECT id, body, author_label, created_at FROM client_request_comments
		WHERE request_id = $1 ORDER BY id`, id); err != nil {
		return d, fmt.Errorf("store: unable to read comments: %w", err)
	}
	d.History = []AuditEntry{}
	if err := s.db.SelectContext(ctx, &d.History, `SELECT id, at, actor_type, actor_id, actor_label, partner_id, action,
		object_type, object_id, before, after, request_id, ip
		FROM audit_log WHERE object_type = 'client_request' AND object_id = $1 ORDER BY id`, fmt.Sprint(id)); err != nil {
		return d, fmt.Errorf("store: unable to read request history: %w", err)
	}
	err = s.Audit(ctx, actor, Event{PartnerID: r.PartnerID, Action: "cardholder.read", ObjectType: "cardholder",
		ObjectID: r.ClientID, After: map[string]any{"via": "client_request", "requestId": id}})
	return d, err
}
