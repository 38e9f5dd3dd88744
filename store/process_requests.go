package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"cardconsole/store/money"
)

// Process request states.
const (
	ProcessPending   = "PENDING"
	ProcessApproved  = "APPROVED"
	ProcessRejected  = "REJECTED"
	ProcessCancelled = "CANCELLED"
)

// ProcessStatuses lists the states in the order the console offers them as filters.
var ProcessStatuses = []string{ProcessPending, ProcessApproved, ProcessRejected, ProcessCancelled}

// ProcessTypeBalanceIncrease is the process type of a partner balance top-up, the only one there is.
const ProcessTypeBalanceIncrease = 1

// MaxObservations bounds the notes of a request, in characters.
const MaxObservations = 1000

// ProcessRequest is a request to credit a partner's available balance, backed by an evidence file
// and decided by an operator other than its maker.
type ProcessRequest struct {
	ID                  int64           `db:"id" json:"id"`
	PartnerID           int64           `db:"partner_id" json:"partnerId"`
	ProcessTypeID       int             `db:"process_type_id" json:"processTypeId"`
	ClientBalanceID     int64           `db:"account_id" json:"clientBalanceId"`
	RequestedAmount     decimal.Decimal `db:"requested_amount" json:"requestedAmount"`
	Currency            string          `db:"currency" json:"currency"`
	Observations        string          `db:"observations" json:"observations"`
	EvidenceURL         string          `db:"-" json:"evidenceUrl"` // set by the HTTP layer
	EvidenceKey         string          `db:"evidence_key" json:"-"`
	EvidenceContentType string          `db:"evidence_content_type" json:"evidenceContentType"`
	EvidenceSize        int64           `db:"evidence_size" json:"evidenceSize"`
	EvidenceSHA256      string          `db:"evidence_sha256" json:"evidenceSha256"`
	EvidenceFileName    string          `db:"evidence_file_name" json:"evidenceFileName"`
	Status              string          `db:"status" json:"status"`
	CreatedBy           int64           `db:"created_by" json:"createdBy"`
	CreatedByEmail      string          `db:"created_by_email" json:"createdByEmail"`
	ReviewedBy          *int64          `db:"reviewed_by" json:"reviewedBy"`
	ReviewedByEmail     *string         `db:"reviewed_by_email" json:"reviewedByEmail"`
	CancelledBy         *int64          `db:"cancelled_by" json:"cancelledBy"`
	CancelledByEmail    *string         `db:"cancelled_by_email" json:"cancelledByEmail"`
	DecidedAt           *time.Time      `db:"decided_at" json:"decidedAt"`
	CreatedAt           time.Time       `db:"created_at" json:"createdAt"`
	UpdatedAt           time.Time       `db:"updated_at" json:"updatedAt"`
}

const processRequestSelect = `
	SELECT pr.id, pr.partner_id, pr.process_type_id, pr.account_id, pr.requested_amount, pr.currency, pr.observations,
	       pr.evidence_key, pr.evidence_content_type, pr.evidence_size, encode(pr.evidence_sha256, 'hex') AS evidence_sha256,
	       pr.evidence_file_name, pr.status, pr.created_by, c.email AS created_by_email, pr.reviewed_by,
	       r.email AS reviewed_by_email, pr.cancelled_by, x.email AS cancelled_by_email, pr.decided_at,
	       pr.created_at, pr.updated_at
	FROM process_requests pr
	JOIN operators c ON c.id = pr.created_by
	LEFT JOIN operators r ON r.id = pr.reviewed_by
	LEFT JOIN operators x ON x.id = pr.cancelled_by`

// NewProcessRequest is a top-up as submitted: the fields as typed and the evidence, whose type was
// decided from its bytes (EvidenceType).
type NewProcessRequest struct {
	PartnerID    int64
	Amount       string
	Observations string
	FileName     string // as the client named it; kept only sanitized
	Kind         EvidenceKind
	Evidence     io.Reader // nil when no file was sent
}

// Validate checks the fields and returns the amount: 7001 or 7002 for a bad amount, 7000 for the rest.
func (in NewProcessRequest) Validate() (decimal.Decimal, error) {
	var v Validation
	amount, err := money.Parse(in.Amount)
	switch {
	case strings.TrimSpace(in.Amount) == "":
		v.Add("requestedAmount", "requestedAmount is required")
	case errors.Is(err, money.ErrNotPositive):
		v.AddCode("requestedAmount", CodeGreaterThanZero, "requestedAmount must be greater than zero")
	case err != nil:
		v.AddCode("requestedAmount", CodeInvalidFormatAmount, "requestedAmount must be a number with at most 4 decimal places")
	}
	if n := len([]rune(strings.TrimSpace(in.Observations))); n > MaxObservations {
		v.Add("observations", fmt.Sprintf("observations must have at most %d characters", MaxObservations))
	}
	if in.Evidence == nil {
		v.Add("evidence", "evidence is required: a PDF, JPEG, PNG or WEBP file of at most 10 MB")
	}
	return amount, v.Err()
}

// processRequestEvent is the payload of the process-request.* live events.
type processRequestEvent struct {
	ProcessRequestID int64            `json:"processRequestId"`
	Status           string           `json:"status"`
	RequestedAmount  decimal.Decimal  `json:"requestedAmount"`
	Currency         string           `json:"currency"`
	CreatedBy        int64            `json:"createdBy"`
	ActedBy          int64            `json:"actedBy"`
	Available        *decimal.Decimal `json:"available,omitempty"` // the partner's balance after an approval
}

func eventOf(pr ProcessRequest, actor Actor) processRequestEvent {
	return processRequestEvent{ProcessRequestID: pr.ID, Status: pr.Status, RequestedAmount: pr.RequestedAmount,
		Currency: pr.Currency, CreatedBy: pr.CreatedBy, ActedBy: actor.OperatorID}
}

// CreateProcessRequest stores the evidence in blobs and records a PENDING request for the partner's
// balance in its currency, with its audit entry and live event. The evidence is written first, in
// its own transaction (an object store has none to share), and deleted again if the request cannot
// be recorded.
func (s *Store) CreateProcessRequest(ctx context.Context, actor Actor, blobs Blobs, in NewProcessRequest) (ProcessRequest, error) {
	amount, err := in.Validate()
	if err != nil {
		return ProcessRequest{}, err
	}
	if actor.Type != ActorOperator || actor.OperatorID == 0 {
		return ProcessRequest{}, NewError(CodeForbidden, "only an operator can request a top-up")
	}
	balance, err := s.PartnerBalance(ctx, in.PartnerID)
	if err != nil {
		return ProcessRequest{}, err
	}
	if err := s.checkTopUpRoom(ctx, in.PartnerID, balance.Available, amount); err != nil {
		return ProcessRequest{}, err
	}
	blob, err := blobs.Put(ctx, in.Kind.ContentType, SanitizeFileName(in.FileName, in.Kind), in.Evidence)
	if err != nil {
		return ProcessRequest{}, err
	}
	var pr ProcessRequest
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		var id int64
		err := tx.GetContext(ctx, &id, `
			INSERT INTO process_requests (partner_id, account_id, process_type_id, requested_amount, currency, observations,
			                              evidence_key, evidence_content_type, evidence_size, evidence_sha256,
			                              evidence_file_name, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
			in.PartnerID, balance.ID, ProcessTypeBalanceIncrease, amount, balance.Currency, strings.TrimSpace(in.Observations),
			blob.Key, blob.ContentType, blob.Size, blob.SHA256, blob.FileName, actor.OperatorID)
		if err != nil {
			return fmt.Errorf("store: unable to create process request: %w", err)
		}
		if pr, err = processRequestTx(ctx, tx, in.PartnerID, id); err != nil {
			return err
		}
		if err := writeAudit(ctx, tx, actor, Event{PartnerID: in.PartnerID, Action: "process-request.create",
			ObjectType: "process_request", ObjectID: id, After: pr}); err != nil {
			return err
		}
		return publish(ctx, tx, in.PartnerID, "process-request.created", eventOf(pr, actor))
	})
	if err != nil {
		// The caller's context may be the reason; the clean-up gets its own.
		cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = blobs.Delete(cleanup, blob.Key)
		return ProcessRequest{}, err
	}
	return pr, nil
}

func processRequestTx(ctx context.Context, q sqlx.QueryerContext, partnerID, id int64) (ProcessRequest, error) {
	var pr ProcessRequest
	err := sqlx.GetContext(ctx, q, &pr, processRequestSelect+` WHERE pr.id = $1 AND pr.partner_id = $2`, id, partnerID)
	return pr, notFoundIf(err, "process request")
}

// ProcessRequest returns one request of the partner; another partner's id is not found.
func (s *Store) ProcessRequest(ctx context.Context, partnerID, id int64) (ProcessRequest, error) {
	return processRequestTx(ctx, s.db, partnerID, id)
}

// DecideProcessRequest approves or rejects a PENDING request. One conditional UPDATE decides it, so
// of two racing reviewers exactly one wins; an approval credits the partner's balance through the
// ledger in the same transaction. The maker of a request cannot decide it (403, audited), a request
// already decided is a conflict (409), and another partner's request is not found (404).
func (s *Store) DecideProcessRequest(ctx context.Context, actor Actor, partnerID, id int64, decision Decision) (ProcessRequest, error) {
	if actor.Type != ActorOperator || actor.OperatorID == 0 {
		return ProcessRequest{}, NewError(CodeForbidden, "only an operator can review a top-up")
	}
	status, action := ProcessRejected, string(decision)
	if decision == Approve {
		status = ProcessApproved
	}
	var pr ProcessRequest
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var row struct {
			AccountID int64           `db:"account_id"`
			Amount    decimal.Decimal `db:"requested_amount"`
			Currency  string          `db:"currency"`
		}
		err := tx.GetContext(ctx, &row, `
			UPDATE process_requests SET status = $3, reviewed_by = $4, decided_at = now(), updated_at = now()
			WHERE id = $1 AND partner_id = $2 AND status = 'PENDING' AND created_by <> $4
			RETURNING account_id, requested_amount, currency`, id, partnerID, status, actor.OperatorID)
		if errors.Is(err, sql.ErrNoRows) {
			return whyNotChanged(ctx, tx, actor, partnerID, id, action, func(createdBy int64) bool { return createdBy != actor.OperatorID },
				"you created this request, so another operator must review it")
		}
		if err != nil {
			return fmt.Errorf("store: unable to %s process request: %w", action, err)
		}
		var available *decimal.Decimal
		if decision == Approve {
			movements, err := post(ctx, tx, actor, Posting{
				To:     &Side{AccountID: row.AccountID, Type: MovementTopUp},
				Amount: row.Amount, Currency: row.Currency, Channel: "PROCESS_REQUEST",
				Reference:   "process-request:" + strconv.FormatInt(id, 10),
				Description: "Balance top-up approved",
			})
			if isOutOfRange(err) {
				return NewError(CodeConflict, "approving this top-up would take the partner's balance past its limit of "+MaxBalance.StringFixed(4)+"; reject it")
			}
			if err != nil {
				return err
			}
			available = &movements[0].BalanceAfter
		}
		if pr, err = processRequestTx(ctx, tx, partnerID, id); err != nil {
			return err
		}
		if err := writeAudit(ctx, tx, actor, Event{PartnerID: partnerID, Action: "process-request." + action,
			ObjectType: "process_request", ObjectID: id, Before: map[string]string{"status": ProcessPending}, After: pr}); err != nil {
			return err
		}
		ev := eventOf(pr, actor)
		ev.Available = available
		return publish(ctx, tx, partnerID, "process-request."+strings.ToLower(status), ev)
	})
	return pr, err
}

// CancelProcessRequest withdraws a PENDING request. Its maker may, and so may a partner admin
// (asAdmin); anyone else is refused (403, audited).
func (s *Store) CancelProcessRequest(ctx context.Context, actor Actor, partnerID, id int64, asAdmin bool) (ProcessRequest, error) {
	if actor.Type != ActorOperator || actor.OperatorID == 0 {
		return ProcessRequest{}, NewError(CodeForbidden, "only an operator can cancel a top-up")
	}
	var pr ProcessRequest
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var got int64
		err := tx.GetContext(ctx, &got, `
			UPDATE process_requests SET status = 'CANCELLED', cancelled_by = $3, decided_at = now(), updated_at = now()
			WHERE id = $1 AND partner_id = $2 AND status = 'PENDING' AND (created_by = $3 OR $4)
			RETURNING id`, id, partnerID, actor.OperatorID, asAdmin)
		if errors.Is(err, sql.ErrNoRows) {
			return whyNotChanged(ctx, tx, actor, partnerID, id, "cancel", func(createdBy int64) bool { return createdBy == actor.OperatorID || asAdmin },
				"only the operator who created this request or a partner admin can cancel it")
		}
		if err != nil {
			return fmt.Errorf("store: unable to cancel process request: %w", err)
		}
		if pr, err = processRequestTx(ctx, tx, partnerID, id); err != nil {
			return err
		}
		if err := writeAudit(ctx, tx, actor, Event{PartnerID: partnerID, Action: "process-request.cancel",
			ObjectType: "process_request", ObjectID: id, Before: map[string]string{"status": ProcessPending}, After: pr}); err != nil {
			return err
		}
		return publish(ctx, tx, partnerID, "process-request.cancelled", eventOf(pr, actor))
	})
	return pr, err
}

// whyNotChanged explains a conditional UPDATE that matched no row, reading the row in the same
// transaction: not found (404), no longer PENDING (409), or not allowed for this actor (403, audited
// by committing the refusal's audit entry).
func whyNotChanged(ctx context.Context, tx *sqlx.Tx, actor Actor, partnerID, id int64, action string,
	allowed func(createdBy int64) bool, refusal string) error {
	var row struct {
		Status    string `db:"status"`
		CreatedBy int64  `db:"created_by"`
	}
	err := tx.GetContext(ctx, &row, `SELECT status, created_by FROM process_requests WHERE id = $1 AND partner_id = $2`, id, partnerID)
	if err != nil {
		return notFoundIf(err, "process request")
	}
	if row.Status != ProcessPending {
		return Conflict(fmt.Sprintf("this request is already %s, so it cannot be %s", row.Status, pastTense(action)))
	}
	if !allowed(row.CreatedBy) {
		if err := writeAudit(ctx, tx, actor, Event{PartnerID: partnerID, Action: "authz.refused", ObjectType: "process_request",
			ObjectID: id, After: map[string]string{"reason": refusal, "action": action}}); err != nil {
			return err
		}
		return commitThen(NewError(CodeForbidden, refusal))
	}
	// The row is PENDING and the actor allowed, yet the UPDATE saw otherwise: it changed in between.
	return Conflict("this request changed meanwhile; reload and try again")
}

func pastTense(action string) string {
	switch action {
	case "approve":
		return "approved"
	case "reject":
		return "rejected"
	}
	return "cancelled"
}

// ProcessRequestFilter narrows a partner's request listing.
type ProcessRequestFilter struct {
	PartnerID int64
	Status    string // one of ProcessStatuses, or empty for all
	Query     string // part of the observations or of the maker's email
	Sort      string // createdAt (default) or requestedAmount
	Order     string // desc (default) or asc
	Page      Page
}

// MaxUnpaged caps the non-paginated listing.
const MaxUnpaged = 1000

// Check validates the filter's choices.
func (f ProcessRequestFilter) Check() error {
	var v Validation
	if f.Status != "" && !slices.Contains(ProcessStatuses, f.Status) {
		v.Add("status", "status must be one of "+strings.Join(ProcessStatuses, ", "))
	}
	if f.Sort != "" && f.Sort != "createdAt" && f.Sort != "requestedAmount" {
		v.Add("sort", "sort must be createdAt or requestedAmount")
	}
	if f.Order != "" && f.Order != "asc" && f.Order != "desc" {
		v.Add("order", "order must be asc or desc")
	}
	return v.Err()
}

// ListProcessRequests returns a page of the partner's requests and how many match in all.
func (s *Store) ListProcessRequests(ctx context.Context, f ProcessRequestFilter) ([]ProcessRequest, int, error) {
	if err := f.Check(); err != nil {
		return nil, 0, err
	}
	where, args := f.where()
	var total int
	if err := s.db.GetContext(ctx, &total, `SELECT count(*) FROM process_requests pr JOIN operators c ON c.id = pr.created_by`+where, args...); err != nil {
		return nil, 0, fmt.Errorf("store: unable to count process requests: %w", err)
	}
	args = append(args, f.Page.Limit, f.Page.Offset())
	out := []ProcessRequest{} // an empty list is [] in JSON, never null
	err := s.db.SelectContext(ctx, &out, processRequestSelect+where+f.orderBy()+
		` LIMIT $`+strconv.Itoa(len(args)-1)+` OFFSET $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: unable to list process requests: %w", err)
	}
	return out, total, nil
}

// where is the filter's WHERE clause over process_requests pr and its maker c.
func (f ProcessRequestFilter) where() (string, []any) {
	where := ` WHERE pr.partner_id = $1`
	args := []any{f.PartnerID}
	if f.Status != "" {
		args = append(args, f.Status)
		where += ` AND pr.status = $` + strconv.Itoa(len(args))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		args = append(args, likeContains(q))
		n := strconv.Itoa(len(args))
		where += ` AND (pr.observations ILIKE $` + n + ` OR c.email ILIKE $` + n + `)`
	}
	return where, args
}

// orderBy is the filter's ORDER BY clause; ties go by id in the same direction.
func (f ProcessRequestFilter) orderBy() string {
	column := "pr.created_at"
	if f.Sort == "requestedAmount" {
		column = "pr.requested_amount"
	}
	order := "DESC"
	if f.Order == "asc" {
		order = "ASC"
	}
	return ` ORDER BY ` + column + ` ` + order + `, pr.id ` + order
}
