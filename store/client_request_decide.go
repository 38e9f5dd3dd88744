package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Limits of the internal comments written with a decision.
const (
	MaxComments      = 20
	MaxCommentLength = 2000
)

// Rejection is what rejecting a request takes: an enabled resolution of the request's partner and,
// optionally, its type (which must then be the resolution's).
type Rejection struct {
	ResolutionID   int64
	ResolutionType int64
	Comments       []string
}

// cleanComments trims the comments, drops empty ones and checks their number and length.
func cleanComments(in []string) ([]string, error) {
	out := make([]string, 0, len(in))
	var v Validation
	for _, c := range in {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if len([]rune(c)) > MaxCommentLength {
			v.Add("data", fmt.Sprintf("a comment has at most %d characters", MaxCommentLength))
			continue
		}
		out = append(out, c)
	}
	if len(out) > MaxComments {
		v.Add("data", fmt.Sprintf("at most %d comments", MaxComments))
	}
	return out, v.Err()
}

// ApproveClientRequest approves an undecided request and applies its effect in the same transaction:
// money requests move funds on the client's cards, profile and address requests change the
// cardholder, verification and document requests mark the cardholder verified. When the effect fails
// (7303 on a short card) nothing is written and the request stays as it was.
func (s *Store) ApproveClientRequest(ctx context.Context, actor Actor, v Viewer, id int64, comments []string) error {
	comments, err := cleanComments(comments)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		before, err := decidable(ctx, tx, actor, v, id)
		if err != nil {
			return err
		}
		if err := markDecided(ctx, tx, actor, id, StatusApproved, nil); err != nil {
			return err
		}
		effect, err := applyEffect(ctx, tx, actor, before)
		if err != nil {
			return err
		}
		return finishDecision(ctx, tx, actor, before, "client_request.approve", comments, map[string]any{"effect": effect})
	})
}

// RejectClientRequest rejects an undecided request citing a resolution; nothing else changes.
func (s *Store) RejectClientRequest(ctx context.Context, actor Actor, v Viewer, id int64, rej Rejection) error {
	comments, err := cleanComments(rej.Comments)
	if err != nil {
		return err
	}
	if rej.ResolutionID <= 0 {
		var bad Validation
		bad.Add("resolutionId", "resolutionId is required: pick the resolution to cite")
		return bad.Err()
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		before, err := decidable(ctx, tx, actor, v, id)
		if err != nil {
			return err
		}
		var res Resolution
		err = tx.GetContext(ctx, &res, `SELECT `+resolutionColumns+` FROM resolutions r JOIN resolution_types t ON t.id = r.type_id
			WHERE r.id = $1 AND r.partner_id = $2 AND r.enabled FOR SHARE OF r`, rej.ResolutionID, before.PartnerID)
		if errors.Is(err, sql.ErrNoRows) {
			var bad Validation
			bad.Add("resolutionId", "no enabled resolution with this id for the request's partner")
			return bad.Err()
		}
		if err != nil {
			return fmt.Errorf("store: unable to read resolution: %w", err)
		}
		if rej.ResolutionType != 0 && rej.ResolutionType != res.TypeID {
			var bad Validation
			bad.Add("resolutionType", fmt.Sprintf("the resolution is of type %d (%s)", res.TypeID, res.TypeName))
			return bad.Err()
		}
		if err := markDecided(ctx, tx, actor, id, StatusRejected, &res); err != nil {
			return err
		}
		return finishDecision(ctx, tx, actor, before, "client_request.reject", comments,
			map[string]any{"resolutionId": res.ID, "resolution": res.Name, "resolutionType": res.TypeID})
	})
}

// decidable locks a request the viewer may see and refuses a decision by its own submitter.
func decidable(ctx context.Context, tx *sqlx.Tx, actor Actor, v Viewer, id int64) (ClientRequest, error) {
	r, err := requestByID(ctx, tx, v, id, true)
	if err != nil {
		return r, err
	}
	if r.SubmittedBy != nil && operatorOf(actor) != nil && *r.SubmittedBy == actor.OperatorID {
		return r, NewError(CodeForbidden, "you submitted this request: another operator must decide it")
	}
	return r, nil
}

// markDecided moves the request out of the undecided states; a request decided already is a
// conflict, so each request is decided exactly once.
func markDecided(ctx context.Context, tx *sqlx.Tx, actor Actor, id int64, status int, res *Resolution) error {
	var resID, resType *int64
	if res != nil {
		resID, resType = &res.ID, &res.TypeID
	}
	result, err := tx.ExecContext(ctx, `
		UPDATE client_requests SET status = $2, decided_by = $3, decided_by_label = $4, decided_at = now(),
		       resolution_id = $5, resolution_type_id = $6, updated_at = now()
		WHERE id = $1 AND status IN `+undecidedSQL, id, status, operatorOf(actor), actor.Label, resID, resType)
	if err != nil {
		return fmt.Errorf("store: unable to decide client request: %w", err)
	}
	if n, _ := result.RowsAffected(); n == 0 {
		return Conflict("this request was decided already")
	}
	return nil
}

// finishDecision writes the comments, the audit row and the live event of a decision.
func finishDecision(ctx context.Context, tx *sqlx.Tx, actor Actor, before ClientRequest, action string, comments []string, extra map[string]any) error {
	if len(comments) > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO client_request_comments (request_id, body, author_id, author_label)
			SELECT $1, unnest($2::text[]), $3, $4`, before.ID, pq.Array(comments), operatorOf(actor), actor.Label); err != nil {
			return fmt.Errorf("store: unable to write comments: %w", err)
		}
	}
	after, err := requestByID(ctx, tx, SystemViewer(), before.ID, false)
	if err != nil {
		return err
	}
	extra["status"], extra["comments"] = after.Status, comments
	if err := writeAudit(ctx, tx, actor, Event{PartnerID: before.PartnerID, Action: action, ObjectType: "client_request",
		ObjectID: before.ID, Before: map[string]any{"status": before.Status}, After: extra}); err != nil {
		return err
	}
	return requestChanged(ctx, tx, after)
}

// applyEffect carries out what an approved request asks for and describes it for the audit log.
func applyEffect(ctx context.Context, tx *sqlx.Tx, actor Actor, r ClientRequest) (any, error) {
	switch r.Type {
	case RequestDeposit, RequestWithdrawal, RequestTransfer:
		return applyFunds(ctx, tx, actor, r)
	case RequestProfile, RequestAddress:
		return applyCardholderChanges(ctx, tx, r)
	case RequestVerification, RequestDocument:
		var p struct {
			DocumentReference string `json:"documentReference"`
		}
		if err := json.Unmarshal(r.Payload, &p); err != nil {
			return nil, fmt.Errorf("store: unable to read payload of request %d: %w", r.ID, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cardholders SET verified_at = now(), verification_reference = $2,
			updated_at = now() WHERE id = $1`, r.ClientID, p.DocumentReference); err != nil {
			return nil, fmt.Errorf("store: unable to verify cardholder: %w", err)
		}
		return map[string]any{"verified": true, "documentReference": p.DocumentReference}, nil
	}
	return nil, nil
}

// applyCardholderChanges writes the proposed fields of a profile or address request to the cardholder.
func applyCardholderChanges(ctx context.Context, tx *sqlx.Tx, r ClientRequest) (any, error) {
	fields := profileFields
	if r.Type == RequestAddress {
		fields = addressFields
	}
	var proposed map[string]string
	if err := json.Unmarshal(r.Payload, &proposed); err != nil {
		return nil, fmt.Errorf("store: unable to read payload of request %d: %w", r.ID, err)
	}
	sets := []string{"updated_at = now()"}
	args := []any{r.ClientID}
	for key, value := range proposed {
		col, ok := fields[key]
		if !ok {
			continue
		}
		args = append(args, value)
		cast := ""
		if col == "date_of_birth" {
			cast = "::date"
		}
		sets = append(sets, fmt.Sprintf("%s = $%d%s", col, len(args), cast))
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cardholders SET `+strings.Join(sets, ", ")+` WHERE id = $1`, args...); err != nil {
		return nil, fmt.Errorf("store: unable to change cardholder: %w", err)
	}
	return map[string]any{"changed": proposed}, nil
}
