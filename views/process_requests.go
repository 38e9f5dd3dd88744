package views

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"cardconsole/store"
	"cardconsole/web/format"
	"cardconsole/web/i18n"
)

// TopUpsView is a partner's top-ups: the form, the review queue and the history.
type TopUpsView struct {
	Partner   store.Partner
	Balance   store.Balance
	CanCreate bool
	Form      TopUpForm
	Queue     TopUpQueueView
	History   TopUpHistoryView
}

// TopUpForm is the "New top-up" form with what the operator typed and the errors of a failed try.
type TopUpForm struct {
	PartnerID    int64
	Currency     string
	Amount       string
	Observations string
	Errors       map[string]string
	NeedsOTP     bool
}

// TopUpQueueView is the review queue: PENDING requests, oldest first.
type TopUpQueueView struct {
	PartnerID int64
	Items     []store.ProcessRequest
	Viewer    int64 // the operator looking: no review buttons on their own requests
	CanReview bool  // approvals:update
	CanCancel bool  // balance-management:cancel
	IsAdmin   bool  // a partner admin may cancel anyone's request
	Now       time.Time
}

// MayReview reports whether the viewer gets approve and reject buttons for the request.
func (q TopUpQueueView) MayReview(pr store.ProcessRequest) bool {
	return q.CanReview && pr.Status == store.ProcessPending && pr.CreatedBy != q.Viewer
}

// MayCancel reports whether the viewer gets a cancel button for the request.
func (q TopUpQueueView) MayCancel(pr store.ProcessRequest) bool {
	return q.CanCancel && pr.Status == store.ProcessPending && (pr.CreatedBy == q.Viewer || q.IsAdmin)
}

// TopUpHistoryView is a page of a partner's requests with the list's filters and sort.
type TopUpHistoryView struct {
	PartnerID int64
	Items     []store.ProcessRequest
	Pager     Pager
	Status    string
	Query     string
	Sort      string
	Order     string
	Now       time.Time
}

// SortLink is the state of a sortable column header of the history.
func (h TopUpHistoryView) SortLink(label, column string) SortLink {
	sort := h.Sort
	if sort == "" {
		sort = "createdAt"
	}
	order := h.Order
	if order == "" {
		order = "desc"
	}
	return SortLink{Label: label, Column: column, Sort: sort, Order: order}
}

// SortURL is the history's address sorted by link's column in the order a click asks for.
func (h TopUpHistoryView) SortURL(link SortLink) string {
	q := url.Values{}
	for k, v := range h.Pager.Query {
		q[k] = v
	}
	q.Set("sort", link.Column)
	q.Set("order", link.NextOrder())
	return WithQuery(h.Pager.Path, q)
}

// EvidenceAccept is the file input's accept list: the types the server takes, by type and extension.
func EvidenceAccept() string {
	var parts []string
	for _, k := range store.EvidenceKinds {
		parts = append(parts, k.ContentType, k.Extension)
	}
	return strings.Join(append(parts, ".jpeg"), ",")
}

// EvidenceHint tells the operator which files are taken before they upload one.
func EvidenceHint(ctx context.Context) string {
	var labels []string
	for _, k := range store.EvidenceKinds {
		labels = append(labels, k.Label)
	}
	return i18n.T(ctx, "topups.evidence_hint", map[string]any{"Kinds": strings.Join(labels, ", "), "MB": store.EvidenceMaxBytes >> 20})
}

// Age says how long ago t was, briefly, in the request's language.
func Age(ctx context.Context, now, t time.Time) string { return format.Relative(ctx, t, now) }

// IsImage reports whether the evidence previews as an image (else it is a PDF).
func IsImage(pr store.ProcessRequest) bool {
	return strings.HasPrefix(pr.EvidenceContentType, "image/")
}

// FileSize formats a byte count for people.
func FileSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// processRequestURL is the path of a request's route.
func processRequestURL(pr store.ProcessRequest, rest string) string {
	return PartnerURL(pr.PartnerID, fmt.Sprintf("/process-request/%d%s", pr.ID, rest))
}

// evidenceMaxBytes is the evidence size limit, for the file input's check before sending
// (static/js/console.js; the server enforces the limit anyway).
func evidenceMaxBytes() string { return strconv.FormatInt(store.EvidenceMaxBytes, 10) }

// evidenceTooLarge is the message of a file over the limit.
func evidenceTooLarge(ctx context.Context) string {
	return i18n.T(ctx, "topups.too_large", map[string]any{"MB": store.EvidenceMaxBytes >> 20})
}
