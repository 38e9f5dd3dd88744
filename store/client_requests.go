package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"
)

// Client request types, as the applications API names them.
const (
	RequestAccount      = "account"
	RequestAddress      = "address"
	RequestArchive      = "archive"
	RequestClientType   = "clientType"
	RequestDeposit      = "deposit"
	RequestDocument     = "document"
	RequestExternal     = "external"
	RequestInvestment   = "investment"
	RequestPartner      = "partner"
	RequestProfile      = "profile"
	RequestTransfer     = "transfer"
	RequestVerification = "verification"
	RequestWithdrawal   = "withdrawal"
)

// RequestTypes lists the request types in the spec's order.
var RequestTypes = []string{RequestAccount, RequestAddress, RequestArchive, RequestClientType, RequestDeposit,
	RequestDocument, RequestExternal, RequestInvestment, RequestPartner, RequestProfile, RequestTransfer,
	RequestVerification, RequestWithdrawal}

// Client request statuses.
const (
	StatusPending    = 0
	StatusApproved   = 1
	StatusRejected   = 2
	StatusInProgress = 3
	StatusNew        = 127
)

// RequestStatuses maps each status id to its name.
var RequestStatuses = map[int]string{StatusPending: "pending", StatusApproved: "approved", StatusRejected: "rejected",
	StatusInProgress: "inProgress", StatusNew: "new"}

// RequestStatusIDs lists the status ids in display order.
var RequestStatusIDs = []int{StatusPending, StatusInProgress, StatusNew, StatusApproved, StatusRejected}

// TopicClientRequests prefixes the live events of client requests.
const TopicClientRequests = "client-request."

// requestChanged announces, in the change's transaction, that a request of the partner was
// submitted or decided. The event names no request and no client: subscribers (the bell) recount
// what they may see, so a tag-restricted operator learns nothing about the requests hidden from them.
func requestChanged(ctx context.Context, tx *sqlx.Tx, r ClientRequest) error {
	topic := TopicClientRequests + "submitted"
	if !r.Undecided() {
		topic = TopicClientRequests + r.Status
	}
	return publish(ctx, tx, r.PartnerID, topic, map[string]any{})
}

// undecidedSQL lists the statuses from which a request may still be approved or rejected.
const undecidedSQL = `(0, 3, 127)`

// ClientRequest is a request of a cardholder (the client) that an operator approves or rejects.
type ClientRequest struct {
	ID               int64               `db:"id" json:"id"`
	PartnerID        int64               `db:"partner_id" json:"partnerId"`
	ClientID         int64               `db:"cardholder_id" json:"clientId"`
	ClientName       string              `db:"client_name" json:"clientName"`
	ClientEmail      string              `db:"client_email" json:"clientEmail"`
	Type             string              `db:"type" json:"type"`
	StatusID         int                 `db:"status" json:"statusId"`
	Status           string              `db:"-" json:"status"`
	Color            *string             `db:"color" json:"color"`
	Payload          json.RawMessage     `db:"payload" json:"payload"`
	Amount           decimal.NullDecimal `db:"amount" json:"amount"`
	Currency         *string             `db:"currency" json:"currency"`
	SubmittedByType  string              `db:"submitted_by_type" json:"submittedByType"`
	SubmittedBy      *int64              `db:"submitted_by" json:"submittedBy"`
	SubmittedByLabel string              `db:"submitted_by_label" json:"submittedByLabel"`
	DecidedBy        *int64              `db:"decided_by" json:"decidedBy"`
	DecidedByLabel   string              `db:"decided_by_label" json:"decidedByLabel"`
	DecidedAt        *time.Time          `db:"decided_at" json:"decidedAt"`
	ResolutionID     *int64              `db:"resolution_id" json:"resolutionId"`
	ResolutionName   *string             `db:"resolution_name" json:"resolutionName"`
	ResolutionType   *int64              `db:"resolution_type_id" json:"resolutionType"`
	CreatedAt        time.Time           `db:"created_at" json:"createdAt"`
	UpdatedAt        time.Time           `db:"updated_at" json:"updatedAt"`
}

// Undecided reports whether the request may still be approved or rejected.
func (r ClientRequest) Undecided() bool {
	return r.StatusID == StatusPending || r.StatusID == StatusInProgress || r.StatusID == StatusNew
}

// requestFrom joins what every read of a request needs.
const requestFrom = ` FROM client_requests r
	JOIN cardholders ch ON ch.id = r.cardholder_id
	LEFT JOIN resolutions res ON res.id = r.resolution_id`

const requestColumns = `r.id, r.partner_id, r.cardholder_id, ch.name || ' ' || ch.last_name AS client_name,
	ch.email AS client_email, r.type, r.status, r.color, r.payload, r.amount, r.currency, r.submitted_by_type,
	r.submitted_by, r.submitted_by_label, r.decided_by, r.decided_by_label, r.decided_at, r.resolution_id,
	res.name AS resolution_name, r.resolution_type_id, r.created_at, r.updated_at`

// named fills the derived fields after a scan.
func named(rs []ClientRequest) []ClientRequest {
	for i := range rs {
		rs[i].Status = RequestStatuses[rs[i].StatusID]
	}
	return rs
}

// ClientRequestFilter narrows and orders the list of requests. Zero values do not filter.
type ClientRequestFilter struct {
	ID       int64
	ClientID int64
	Type     string
	Status   *int
	Client   string     // substring of the client's name, email or document number
	From     *time.Time // created on or after this instant
	To       *time.Time // created before this instant
	Sort     string     // a key of RequestSorts, "-" in front for descending
	Limit    int
	Offset   int
}

// RequestSorts are the columns the list may be sorted by.
var RequestSorts = map[string]string{
	"id": "r.id", "createdAt": "r.created_at", "updatedAt": "r.updated_at", "type": "r.type",
	"statusId": "r.status", "clientId": "r.cardholder_id", "amount": "r.amount",
}

// DefaultRequestSort is the queue's order: oldest first, as requests are worked through.
const DefaultRequestSort = "createdAt"

// Validate checks the filter's enumerations and the sort key.
func (f *ClientRequestFilter) Validate() error {
	var v Validation
	if f.Type != "" && !slices.Contains(RequestTypes, f.Type) {
		v.Add("filter[type]", "type must be one of "+strings.Join(RequestTypes, ", "))
	}
	if f.Status != nil {
		if _, ok := RequestStatuses[*f.Status]; !ok {
			v.Add("filter[statusId]", "statusId must be 0 (pending), 1 (approved), 2 (rejected), 3 (inProgress) or 127 (new)")
		}
	}
	if f.Sort == "" {
		f.Sort = DefaultRequestSort
	}
	if _, ok := RequestSorts[strings.TrimPrefix(f.Sort, "-")]; !ok {
		keys := make([]string, 0, len(RequestSorts))
		for k := range RequestSorts {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		v.Add("sort", "sort must be one of "+strings.Join(keys, ", ")+", with '-' in front for descending")
	}
	if f.From != nil && f.To != nil && !f.From.Before(*f.To) {
		v.Add("filter[dateTo]", "dateTo must not be before dateFrom")
	}
	return v.Err()
}

// where builds the filter's condition after the viewer's, with its arguments.
func (f ClientRequestFilter) where(v Viewer) (string, []any) {
	conds, args := f.conditions(v.args())
	return viewerVisibleSQL("r.cardholder_id", "r.partner_id") + conds, args
}

// conditions builds the filter's own conditions, each after " AND ", numbering its arguments after
// those already in args (the viewer's).
func (f ClientRequestFilter) conditions(args []any) (string, []any) {
	var where string
	add := func(cond string, val any) {
		args = append(args, val)
		where += " AND " + strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args)))
	}
	if f.ID != 0 {
		add("r.id = ?", f.ID)
	}
	if f.ClientID != 0 {
		add("r.cardholder_id = ?", f.ClientID)
	}
	if f.Type != "" {
		add("r.type = ?", f.Type)
	}
	if f.Status != nil {
		add("r.status = ?", *f.Status)
	}
	if f.Client != "" {
		add("(ch.name || ' ' || ch.last_name ILIKE ? OR ch.email ILIKE ? OR ch.document_number ILIKE ?)", likeContains(f.Client))
	}
	if f.From != nil {
		add("r.created_at >= ?", *f.From)
	}
	if f.To != nil {
		add("r.created_at < ?", *f.To)
	}
	return where, args
}

func (f ClientRequestFilter) orderBy() string {
	dir := " ASC"
	key := f.Sort
	if strings.HasPrefix(key, "-") {
		dir, key = " DESC", key[1:]
	}
	col, ok := RequestSorts[key]
	if !ok {
		col = RequestSorts[DefaultRequestSort]
	}
	// Only the amount may be empty; the other columns are NOT NULL, and an order without NULLS LAST
	// on them is the order of their indexes, read backwards for DESC.
	nulls := ""
	if col == RequestSorts["amount"] {
		nulls = " NULLS LAST"
	}
	return " ORDER BY " + col + dir + nulls + ", r.id" + dir
}

// EachClientRequest calls fn for every request matching the filter, in its order and without paging
// (the CSV export), reading rows as they come, on the replica when there is one.
func (s *Store) EachClientRequest(ctx context.Context, v Viewer, f ClientRequestFilter, fn func(ClientRequest) error) error {
	if err := f.Validate(); err != nil {
		return err
	}
	where, args := f.where(v)
	var rows *sqlx.Rows
	err := s.read(ctx, func(db *sqlx.DB) (err error) {
		rows, err = db.QueryxContext(ctx, `SELECT `+requestColumns+requestFrom+` WHERE `+where+f.orderBy(), args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: unable to export client requests: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r ClientRequest
		if err := rows.StructScan(&r); err != nil {
			return fmt.Errorf("store: unable to read client request: %w", err)
		}
		if err := fn(named([]ClientRequest{r})[0]); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: unable to export client requests: %w", err)
	}
	return nil
}

// ClientRequestByID returns a request the viewer may see; any other is NotFound.
func (s *Store) ClientRequestByID(ctx context.Context, v Viewer, id int64) (ClientRequest, error) {
	return requestByID(ctx, s.db, v, id, false)
}

func requestByID(ctx context.Context, q sqlx.QueryerContext, v Viewer, id int64, lock bool) (ClientRequest, error) {
	var r ClientRequest
	query := `SELECT ` + requestColumns + requestFrom + ` WHERE r.id = $4 AND ` + viewerVisibleSQL("r.cardholder_id", "r.partner_id")
	if lock {
		query += ` FOR UPDATE OF r`
	}
	err := sqlx.GetContext(ctx, q, &r, query, append(v.args(), id)...)
	if errors.Is(err, sql.ErrNoRows) {
		return r, NotFound("client request")
	}
	if err != nil {
		return r, fmt.Errorf("store: unable to read client request: %w", err)
	}
	return named([]ClientRequest{r})[0], nil
}

// BellCap is the largest pending count the bell shows as a number; beyond it shows "99+".
const BellCap = 99

// CountPendingRequests counts the pending requests the viewer may see, up to BellCap+1: the bell's
// number. Every console page shows the bell, and a queue of 100,000 pending requests took about a
// second to count in full (each row checked against the viewer's grants and tags), on every page
// (docs/performance-console.md); the count stops once it is past what the bell shows.
func (s *Store) CountPendingRequests(ctx context.Context, v Viewer) (int, error) {
	var n int
	err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM (SELECT 1 FROM client_requests r
		WHERE r.status = 0 AND `+viewerVisibleSQL("r.cardholder_id", "r.partner_id")+` LIMIT `+strconv.Itoa(BellCap+1)+`) AS pending`, v.args()...)
	if err != nil {
		return 0, fmt.Errorf("store: unable to count pending requests: %w", err)
	}
	return n, nil
}

// PendingRequests returns the newest pending requests the viewer may see and how many there are in
// all: the notifications.
func (s *Store) PendingRequests(ctx context.Context, v Viewer, limit int) ([]ClientRequest, int, error) {
	pending := StatusPending
	return s.ListClientRequests(ctx, v, ClientRequestFilter{Status: &pending, Sort: "-createdAt", Limit: limit})
}

var colorPattern = regexp.MustCompile(`^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)

// NormalizeColor checks a highlight colour, "#rgb" or "#rrggbb", and returns it as lower-case
// "#rrggbb"; an empty one clears the highlight.
func NormalizeColor(c string) (*string, error) {
	c = strings.TrimSpace(c)
	if c == "" {
		return nil, nil
	}
	if !colorPattern.MatchString(c) {
		var v Validation
		v.Add("color", "color must be a hex colour such as #fbe1e3")
		return nil, v.Err()
	}
	c = strings.ToLower(c)
	if len(c) == 4 {
		c = "#" + strings.Repeat(c[1:2], 2) + strings.Repeat(c[2:3], 2) + strings.Repeat(c[3:4], 2)
	}
	return &c, nil
}

// SetRequestColor changes a request's highlight colour and nothing else; decided requests may be
// highlighted too.
func (s *Store) SetRequestColor(ctx context.Context, actor Actor, v Viewer, id int64, color string) (ClientRequest, error) {
	c, err := NormalizeColor(color)
	if err != nil {
		return ClientRequest{}, err
	}
	var out ClientRequest
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		before, err := requestByID(ctx, tx, v, id, true)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE client_requests SET color = $2, updated_at = now() WHERE id = $1`, id, c); err != nil {
			return fmt.Errorf("store: unable to colour client request: %w", err)
		}
		if out, err = requestByID(ctx, tx, v, id, false); err != nil {
			return err
		}
		return writeAudit(ctx, tx, actor, Event{PartnerID: out.PartnerID, Action: "client_request.color",
			ObjectType: "client_request", ObjectID: id, Before: map[string]any{"color": before.Color},
			After: map[string]any{"color": out.Color}})
	})
	return out, err
}
