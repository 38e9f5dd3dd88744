package views

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"cardconsole/store"
	"cardconsole/web/i18n"
)

// BulkView is the "Bulk files" page of a partner.
type BulkView struct {
	PartnerID   int64
	PartnerName string
	Kinds       []BulkKindOption // the kinds the operator may upload
	Batches     []store.BulkBatch
	OperatorID  int64 // who looks: the uploader of a payout may cancel it, anyone else review it
	CanApprove  bool  // approvals:update
	FailedOnly  bool  // the history lists only the recent batches with failed rows
	// Previews are the first rows of each payout file waiting for approval, by batch.
	Previews map[int64][]store.PayoutPreviewRow
}

// FailedBatchesQuery is the bulk page's query that lists only the recent batches with failed rows.
const FailedBatchesQuery = "failed=recent"

// HistoryURL is the address the history reloads from, keeping its filter.
func (vm BulkView) HistoryURL() string {
	if vm.FailedOnly {
		return PartnerURL(vm.PartnerID, "/bulk?"+FailedBatchesQuery)
	}
	return PartnerURL(vm.PartnerID, "/bulk")
}

// BulkKindOption is a kind of file offered by the upload form.
type BulkKindOption struct {
	Value string // cardholders, cards or payout: the form value and the template's name
}

// BulkKindLabel names a kind of file of the upload form ("cardholders", "cards", "payout").
func BulkKindLabel(ctx context.Context, value string) string {
	return i18n.T(ctx, "bulk.kind_"+value)
}

// BulkStatusWords is the batch statuses in words, as JSON, for bulk.js to show the live status.
func BulkStatusWords(ctx context.Context) string {
	words := map[string]string{}
	for _, s := range []string{store.BatchQueued, store.BatchPendingApproval, store.BatchRunning, store.BatchCompleted,
		store.BatchRejected, store.BatchCancelled} {
		words[s] = Enum(ctx, "bulk_status", s)
	}
	b, _ := json.Marshal(words)
	return string(b)
}

// BulkMaxMB is the largest file the upload takes, in MB.
func BulkMaxMB() string { return strconv.Itoa(store.BulkMaxBytes >> 20) }

// BulkMaxRows is the most rows a file may have, written with separators.
func BulkMaxRows() string {
	return strings.TrimSuffix(Amount(decimal.NewFromInt(store.BulkMaxRows)), ".00")
}

// BulkProgressURL is the progress stream of a batch.
func BulkProgressURL(partnerID, batchID int64) string {
	return PartnerURL(partnerID, "/cardholders/batch/"+ID(batchID)+"/progress")
}

// BulkErrorsURL is a batch's error file in a format, csv or xlsx.
func BulkErrorsURL(partnerID, batchID int64, format string) string {
	return PartnerURL(partnerID, "/batches/"+ID(batchID)+"/errors."+format)
}

// BulkPercent is how much of a batch is done, in whole percent.
func BulkPercent(b store.BulkBatch) string {
	if b.Total == 0 {
		return "0"
	}
	return strconv.Itoa(100 * b.Processed / b.Total)
}

// deref is the text of an optional string, "" when absent.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// PreviewCard is how a payout row names its card: its last four digits, or "—" when the row named
// no card that could be paid.
func PreviewCard(r store.PayoutPreviewRow) string {
	if r.Last4 == nil {
		return "—"
	}
	return "•••• " + *r.Last4
}

// PreviewHolder is a payout row's cardholder: the name and the document, as the list shows them.
func PreviewHolder(r store.PayoutPreviewRow) string {
	if r.HolderName == nil {
		return "—"
	}
	return *r.HolderName + " · " + deref(r.DocumentType) + " " + deref(r.DocumentNumber)
}

// PreviewAmount is a payout row's amount in the batch's currency, or the cell as uploaded when it
// was not a valid amount.
func PreviewAmount(r store.PayoutPreviewRow, currency *string) string {
	if !r.Amount.Valid {
		return "—"
	}
	return Money(r.Amount.Decimal, deref(currency))
}
