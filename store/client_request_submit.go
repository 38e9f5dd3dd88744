package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"
)

// NewClientRequest is a request submitted on behalf of a cardholder.
type NewClientRequest struct {
	ClientID int64
	Type     string
	Payload  json.RawMessage
	Color    string
	StatusID *int // 0 pending (the default), 3 inProgress or 127 new: a request starts undecided
}

func (in NewClientRequest) validate() (*string, int, error) {
	var v Validation
	if in.ClientID <= 0 {
		v.Add("clientId", "clientId is required (the cardholder's id)")
	}
	if !slices.Contains(RequestTypes, in.Type) {
		v.Add("type", "type must be one of "+strings.Join(RequestTypes, ", "))
	}
	status := StatusPending
	if in.StatusID != nil {
		status = *in.StatusID
		if status != StatusPending && status != StatusInProgress && status != StatusNew {
			v.Add("statusId", "a request starts as 0 (pending), 3 (inProgress) or 127 (new)")
		}
	}
	color, err := NormalizeColor(in.Color)
	if err != nil {
		v.Add("color", "color must be a hex colour such as #fbe1e3")
	}
	return color, status, v.Err()
}

// SubmitClientRequest records a request of a cardholder the viewer may see. The payload is checked
// against the request type (cards of the client, amounts, cardholder fields); the submitter is kept,
// as they may not decide their own request.
func (s *Store) SubmitClientRequest(ctx context.Context, actor Actor, v Viewer, in NewClientRequest) (ClientRequest, error) {
	color, status, err := in.validate()
	if err != nil {
		return ClientRequest{}, err
	}
	var out ClientRequest
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		var partnerID int64
		err := tx.GetContext(ctx, &partnerID, `SELECT c.partner_id FROM cardholders c
			WHERE c.id = $4 AND `+viewerVisibleSQL("c.id", "c.partner_id"), append(v.args(), in.ClientID)...)
		if errors.Is(err, sql.ErrNoRows) {
			return &Error{Code: CodeUserNotFound, Message: "client not found",
				Fields: []FieldError{{Field: "clientId", Code: CodeUserNotFound, Message: "no such cardholder"}}}
		}
		if err != nil {
			return fmt.Errorf("store: unable to find client: %w", err)
		}
		p, err := checkPayload(ctx, tx, partnerID, in.ClientID, in.Type, in.Payload)
		if err != nil {
			return err
		}
		var id int64
		err = tx.GetContext(ctx, &id, `
			INSERT INTO client_requests (partner_id, cardholder_id, type, status, color, payload, amount, currency,
			                             submitted_by_type, submitted_by, submitted_by_label)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			partnerID, in.ClientID, in.Type, status, color, []byte(p.JSON), p.Amount, p.Currency,
			actor.kind(), operatorOf(actor), actor.Label)
		if err != nil {
			return fmt.Errorf("store: unable to submit client request: %w", err)
		}
		if out, err = requestByID(ctx, tx, SystemViewer(), id, false); err != nil {
			return err
		}
		if err := writeAudit(ctx, tx, actor, Event{PartnerID: partnerID, Action: "client_request.submit",
			ObjectType: "client_request", ObjectID: id, After: out}); err != nil {
			return err
		}
		return requestChanged(ctx, tx, out)
	})
	return out, err
}

// operatorOf is the operator id of an actor, or nil for applications and the system.
func operatorOf(a Actor) *int64 {
	if a.Type == ActorOperator && a.OperatorID != 0 {
		return &a.OperatorID
	}
	return nil
}
