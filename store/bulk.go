package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"cardconsole/store/sheet"
)

// BulkKind is what the rows of a bulk file are.
type BulkKind string

// The kinds of bulk file.
const (
	BulkCardholders BulkKind = "CARDHOLDERS" // one new cardholder per row, with their first card
	BulkCards       BulkKind = "CARDS"       // one more card per row for an existing cardholder
	BulkPayout      BulkKind = "PAYOUT"      // one card load per row, applied once another operator approves
)

// Statuses of a batch.
const (
	BatchQueued          = "QUEUED"           // stored; its rows are being read
	BatchPendingApproval = "PENDING_APPROVAL" // a payout waiting for a second operator
	BatchRunning         = "RUNNING"          // its rows are being applied
	BatchCompleted       = "COMPLETED"        // every row has its outcome
	BatchRejected        = "REJECTED"         // a payout the checker refused
	BatchCancelled       = "CANCELLED"        // a payout its uploader withdrew
)

// Limits of a bulk file.
const (
	BulkMaxBytes = 16 << 20
	BulkMaxRows  = 100_000
	// bulkDuplicateWindow is how long the same file (by SHA-256) answers 409 unless forced.
	bulkDuplicateWindow = 24 * time.Hour
)

// bulkLayout is the columns of a kind of file: all of required must be in the header, and any of
// optional may be.
type bulkLayout struct{ required, optional []string }

// bulkLayouts are the columns of each kind. Column names match case-insensitively; an "error"
// column (the one error files add) is ignored, so a fixed error file uploads as it is.
var bulkLayouts = map[BulkKind]bulkLayout{
	BulkCardholders: {required: []string{"name", "lastName", "address", "countryOfBirth", "dateOfBirth", "maritalStatus",
		"gender", "phoneNumber", "email", "documentType", "documentNumber"}, optional: []string{"cardId"}},
	BulkCards:  {required: []string{"documentType", "documentNumber"}, optional: []string{"cardId", "activate"}},
	BulkPayout: {required: []string{"amount", "reference"}, optional: []string{"cardId", "documentType", "documentNumber", "description"}},
}

// BulkColumns are the columns of a kind's template, in order.
func BulkColumns(kind BulkKind) []string {
	l := bulkLayouts[kind]
	if kind == BulkPayout {
		return []string{"cardId", "documentType", "documentNumber", "amount", "reference", "description"}
	}
	return append(slices.Clone(l.required), l.optional...)
}

// ValidBulkKind reports whether kind is one of the kinds of bulk file.
func ValidBulkKind(kind BulkKind) bool { _, ok := bulkLayouts[kind]; return ok }

// errorColumn is the column error files add.
const errorColumn = "error"

// columnIndex maps each known column of a header to its position; it refuses a header with a
// missing, unknown or repeated column, naming it.
func columnIndex(kind BulkKind, header []string) (map[string]int, error) {
	l := bulkLayouts[kind]
	known := append(slices.Clone(l.required), l.optional...)
	idx := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if h == "" || strings.EqualFold(h, errorColumn) {
			continue
		}
		j := slices.IndexFunc(known, func(k string) bool { return strings.EqualFold(k, h) })
		if j < 0 {
			return nil, bulkFileError(fmt.Sprintf("the header has an unknown column %q; the columns are %s", h, strings.Join(known, ", ")))
		}
		if _, dup := idx[known[j]]; dup {
			return nil, bulkFileError(fmt.Sprintf("the header has the column %q twice", known[j]))
		}
		idx[known[j]] = i
	}
	var missing []string
	for _, r := range l.required {
		if _, ok := idx[r]; !ok {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		return nil, bulkFileError("the header is missing the column(s) " + strings.Join(missing, ", "))
	}
	if kind == BulkPayout {
		_, card := idx["cardId"]
		_, dt := idx["documentType"]
		_, dn := idx["documentNumber"]
		if !card && !(dt && dn) {
			return nil, bulkFileError("the header needs a cardId column, or documentType and documentNumber columns")
		}
	}
	return idx, nil
}

// bulkFileError is a refusal of an uploaded file as a whole, on its file field.
func bulkFileError(msg string) error {
	return &Error{Code: CodeCheckParameters, Message: msg, Fields: []FieldError{{Field: "file", Code: CodeCheckParameters, Message: msg}}}
}

// sheetError turns what the sheet reader says about a file into the refusal the uploader sees.
func sheetError(err error) error {
	var p *sheet.Problem
	if !errors.As(err, &p) {
		return err
	}
	if p.Unsupported {
		return &Error{Code: CodeUnsupportedMedia, Message: p.Message,
			Fields: []FieldError{{Field: "file", Code: CodeUnsupportedMedia, Message: p.Message}}}
	}
	return bulkFileError(p.Message)
}

// cell is a row's value of a column, trimmed; "" when the column is absent or the row is short. The
// apostrophe that CSV downloads put before a value a spreadsheet would take for a formula (+502…)
// is dropped, so a downloaded error file uploads again as it is.
func cell(cells []string, idx map[string]int, column string) string {
	i, ok := idx[column]
	if !ok || i >= len(cells) {
		return ""
	}
	v := strings.TrimSpace(cells[i])
	if len(v) > 1 && v[0] == '\'' && strings.ContainsRune("=+-@", rune(v[1])) {
		v = v[1:]
	}
	return v
}

// BulkBatch is one uploaded file and how far its rows got.
type BulkBatch struct {
	ID             int64           `db:"id" json:"id"`
	PartnerID      int64           `db:"partner_id" json:"partnerId"`
	Kind           BulkKind        `db:"kind" json:"kind"`
	Status         string          `db:"status" json:"status"`
	FileName       string          `db:"file_name" json:"fileName"`
	Format         string          `db:"format" json:"format"`
	Total          int             `db:"total" json:"total"`
	Processed      int             `db:"processed" json:"processed"`
	Succeeded      int             `db:"succeeded" json:"succeeded"`
	Failed         int             `db:"failed" json:"failed"`
	Currency       *string         `db:"currency" json:"currency"`
	AmountTotal    decimal.Decimal `db:"amount_total" json:"amountTotal"`
	Credited       decimal.Decimal `db:"credited" json:"credited"`
	OnInsufficient *string         `db:"on_insufficient" json:"onInsufficient"`
	CreatedBy      int64           `db:"created_by" json:"createdBy"`
	CreatedByLabel string          `db:"created_by_label" json:"createdByLabel"`
	DecidedBy      *int64          `db:"decided_by" json:"decidedBy"`
	DecidedAt      *time.Time      `db:"decided_at" json:"decidedAt"`
	Reason         *string         `db:"reason" json:"reason"`
	CreatedAt      time.Time       `db:"created_at" json:"createdAt"`
	FinishedAt     *time.Time      `db:"finished_at" json:"finishedAt"`
	// Covered says, for a payout, whether the partner's available balance now covers AmountTotal.
	Covered *bool `db:"covered" json:"covered,omitempty"`
}

// Final reports whether the batch will change no more.
func (b BulkBatch) Final() bool {
	return b.Status == BatchCompleted || b.Status == BatchRejected || b.Status == BatchCancelled
}

// bulkBatchColumns selects a BulkBatch from bulk_batches b.
const bulkBatchColumns = `b.id, b.partner_id, b.kind, b.status, b.file_name, b.format, b.total, b.processed, b.succeeded,
	b.failed, b.currency, b.amount_total, b.credited, b.on_insufficient, b.created_by,
	(SELECT email FROM operators o WHERE o.id = b.created_by) AS created_by_label, b.decided_by, b.decided_at, b.reason,
	b.created_at, b.finished_at,
	CASE WHEN b.kind = 'PAYOUT' THEN COALESCE((SELECT a.balance >= b.amount_total FROM accounts a
	    WHERE a.partner_id = b.partner_id AND a.kind = 'PARTNER' AND a.currency = b.currency), false) END AS covered`

// NewBulkBatch is an uploaded file: Path is where it was spooled.
type NewBulkBatch struct {
	PartnerID int64
	Kind      BulkKind
	FileName  string
	Path      string
	Force     bool // store it even if the same file was uploaded in the last day
}

// scannedFile is what the upload's full read of a file found.
type scannedFile struct {
	format sheet.Format
	header []string
	rows   int
	sha    []byte
}

// scanBulkFile reads the whole file once: its type from its bytes, its header, its row count and its
// SHA-256. Every refusal names the problem.
func scanBulkFile(kind BulkKind, path string) (scannedFile, error) {
	var out scannedFile
	f, err := os.Open(path)
	if err != nil {
		return out, fmt.Errorf("store: unable to open upload: %w", err)
	}
	h := sha256.New()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	if n == 0 {
		f.Close()
		return out, bulkFileError("the file is empty")
	}
	h.Write(head[:n])
	size, err := io.Copy(h, f)
	f.Close()
	if err != nil {
		return out, fmt.Errorf("store: unable to read upload: %w", err)
	}
	if int64(n)+size > BulkMaxBytes {
		return out, &Error{Code: CodePayloadTooLarge, Message: fmt.Sprintf("the file must be at most %d MB", BulkMaxBytes>>20)}
	}
	out.sha = h.Sum(nil)
	format, ok := sheet.Sniff(head[:n])
	if !ok {
		return out, sheetError(&sheet.Problem{Unsupported: true, Message: "the file must be CSV (UTF-8) or XLSX; its content says it is neither"})
	}
	out.format = format
	r, err := sheet.Open(path, format)
	if err != nil {
		return out, sheetError(err)
	}
	defer r.Close()
	for {
		cells, _, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return out, sheetError(err)
		}
		if sheet.Blank(cells) {
			continue
		}
		if out.header == nil {
			if _, err := columnIndex(kind, cells); err != nil {
				return out, err
			}
			out.header = cells
			continue
		}
		if out.rows++; out.rows > BulkMaxRows {
			return out, bulkFileError(fmt.Sprintf("the file has more than %d rows; split it", BulkMaxRows))
		}
	}
	switch {
	case out.header == nil:
		return out, bulkFileError("the file is empty")
	case out.rows == 0:
		return out, bulkFileError("the file has a header but no rows")
	}
	return out, nil
}

// CreateBulkBatch checks an uploaded file (type, header, size and row count), stores it and queues
// the job that reads and applies its rows. The same file uploaded to the partner in the last day is
// 409 (7011) with the first batch's id, unless in.Force.
func (s *Store) CreateBulkBatch(ctx context.Context, actor Actor, in NewBulkBatch) (BulkBatch, error) {
	if !ValidBulkKind(in.Kind) {
		return BulkBatch{}, fmt.Errorf("store: unknown bulk kind %q", in.Kind)
	}
	scan, err := scanBulkFile(in.Kind, in.Path)
	if err != nil {
		return BulkBatch{}, err
	}
	if !in.Force {
		if err := s.checkDuplicateFile(ctx, in.PartnerID, scan.sha); err != nil {
			return BulkBatch{}, err
		}
	}
	f, err := os.Open(in.Path)
	if err != nil {
		return BulkBatch{}, fmt.Errorf("store: unable to open upload: %w", err)
	}
	defer f.Close()
	contentType := "text/csv"
	if scan.format == sheet.XLSX {
		contentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	blob, err := s.Blobs().Put(ctx, contentType, in.FileName, f)
	if err != nil {
		return BulkBatch{}, err
	}
	var id int64
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		// Uploads of one partner take turns here, so two copies of a file sent at once are seen.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('bulk-upload'), $1::int)`, in.PartnerID); err != nil {
			return fmt.Errorf("store: unable to lock uploads: %w", err)
		}
		if !in.Force {
			if err := checkDuplicateFileTx(ctx, tx, in.PartnerID, scan.sha); err != nil {
				return err
			}
		}
		err := tx.GetContext(ctx, &id, `
			INSERT INTO bulk_batches (partner_id, kind, status, file_name, format, blob_key, sha256, header, total, created_by, currency)
			VALUES ($1, $2, 'QUEUED', $3, $4, $5, $6, $7, $8, $9,
			        CASE WHEN $2 = 'PAYOUT' THEN (SELECT currency FROM partners WHERE id = $1) END)
			RETURNING id`, in.PartnerID, in.Kind, in.FileName, scan.format, blob.Key, scan.sha, pq.Array(scan.header),
			scan.rows, actor.OperatorID)
		if err != nil {
			return fmt.Errorf("store: unable to create batch: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO bulk_jobs (batch_id) VALUES ($1)`, id); err != nil {
			return fmt.Errorf("store: unable to queue batch: %w", err)
		}
		if err := publishBatch(ctx, tx, id); err != nil {
			return err
		}
		return writeAudit(ctx, tx, actor, Event{PartnerID: in.PartnerID, Action: "bulk.upload", ObjectType: "bulk_batch", ObjectID: id,
			After: map[string]any{"kind": in.Kind, "fileName": in.FileName, "format": scan.format, "rows": scan.rows,
				"sha256": fmt.Sprintf("%x", scan.sha), "force": in.Force}})
	})
	if err != nil {
		_ = s.Blobs().Delete(context.WithoutCancel(ctx), blob.Key)
		return BulkBatch{}, err
	}
	s.wakeBulkWorker()
	return s.BulkBatch(ctx, in.PartnerID, id)
}

func (s *Store) checkDuplicateFile(ctx context.Context, partnerID int64, sha []byte) error {
	return checkDuplicateFileTx(ctx, s.db, partnerID, sha)
}

func checkDuplicateFileTx(ctx context.Context, q sqlx.QueryerContext, partnerID int64, sha []byte) error {
	var first int64
	err := sqlx.GetContext(ctx, q, &first, `SELECT id FROM bulk_batches WHERE partner_id = $1 AND sha256 = $2
		AND created_at > now() - $3::interval ORDER BY id LIMIT 1`, partnerID, sha, fmt.Sprintf("%d seconds", int(bulkDuplicateWindow.Seconds())))
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: unable to look for the same file: %w", err)
	}
	return &Error{Code: CodeConflict, Data: map[string]int64{"id": first},
		Message: fmt.Sprintf("this file was already uploaded today as batch %d; send force=true to upload it again", first)}
}

// BulkBatch returns one batch of the partner.
func (s *Store) BulkBatch(ctx context.Context, partnerID, id int64) (BulkBatch, error) {
	var b BulkBatch
	err := s.db.GetContext(ctx, &b, `SELECT `+bulkBatchColumns+` FROM bulk_batches b WHERE b.id = $1 AND b.partner_id = $2`, id, partnerID)
	return b, notFoundIf(err, "batch")
}

// BulkFilter selects a partner's batches: of one kind and status when set, newest first.
type BulkFilter struct {
	PartnerID int64
	Kind      BulkKind
	Status    string
	// FailedSince, when set, keeps only the batches created since then with failed rows (the
	// dashboard's link).
	FailedSince *time.Time
	Page        Page
}

// bulkFilterWhere selects a BulkFilter's batches of bulk_batches b with its PartnerID, Kind, Status
// and FailedSince as $1 to $4; bulkListOrder is the list's order, newest first.
const (
	bulkFilterWhere = `b.partner_id = $1 AND ($2 = '' OR b.kind = $2) AND ($3 = '' OR b.status = $3)
		AND ($4::timestamptz IS NULL OR (b.failed > 0 AND b.created_at >= $4))`
	bulkListOrder = `ORDER BY b.id DESC`
)

// ListBulkBatches lists the partner's batches with the total count.
func (s *Store) ListBulkBatches(ctx context.Context, f BulkFilter) ([]BulkBatch, int, error) {
	var total int
	where := bulkFilterWhere
	if err := s.db.GetContext(ctx, &total, `SELECT count(*) FROM bulk_batches b WHERE `+where, f.PartnerID, f.Kind, f.Status, f.FailedSince); err != nil {
		return nil, 0, fmt.Errorf("store: unable to count batches: %w", err)
	}
	out := []BulkBatch{}
	err := s.db.SelectContext(ctx, &out, `SELECT `+bulkBatchColumns+` FROM bulk_batches b WHERE `+where+`
		`+bulkListOrder+` LIMIT $5 OFFSET $6`, f.PartnerID, f.Kind, f.Status, f.FailedSince, f.Page.Limit, f.Page.Offset())
	if err != nil {
		return nil, 0, fmt.Errorf("store: unable to list batches: %w", err)
	}
	return out, total, nil
}

// batchProgress is the payload of a batch's live events.
type batchProgress struct {
	BatchID   int64  `db:"id" json:"batchId"`
	Processed int    `db:"processed" json:"processed"`
	Total     int    `db:"total" json:"total"`
	Succeeded int    `db:"succeeded" json:"succeeded"`
	Failed    int    `db:"failed" json:"failed"`
	Status    string `db:"status" json:"status"`
	PartnerID int64  `db:"partner_id" json:"-"`
}

// BatchTopic is the topic of a batch's progress events; BatchTopicPrefix(id) selects them.
func BatchTopic(id int64) string { return BatchTopicPrefix(id) + "progress" }

// BatchTopicPrefix is the prefix of the topics of one batch's events.
func BatchTopicPrefix(id int64) string { return fmt.Sprintf("bulk.%d.", id) }

// publishBatch announces the batch's counts as they are in tx.
func publishBatch(ctx context.Context, tx *sqlx.Tx, id int64) error {
	var p batchProgress
	if err := tx.GetContext(ctx, &p, `SELECT id, processed, total, succeeded, failed, status, partner_id FROM bulk_batches WHERE id = $1`, id); err != nil {
		return fmt.Errorf("store: unable to read batch: %w", err)
	}
	return publish(ctx, tx, p.PartnerID, BatchTopic(id), p)
}
