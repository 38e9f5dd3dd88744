package views

import (
	"strconv"

	"cardconsole/store"
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
	Label string
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
