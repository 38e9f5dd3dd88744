package handlers

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/views"
	"cardconsole/web"
)

// bulkReaders are the permissions that let an operator see a partner's batches: whoever may upload
// one kind of file or approve payouts.
var bulkReaders = []string{"bulk-create:create", "cards-admin:addFunds", "approvals:list", "approvals:update"}

// bulkUploadPermission is the permission each kind of file needs.
var bulkUploadPermission = map[store.BulkKind]string{store.BulkCardholders: "bulk-create:create",
	store.BulkCards: "bulk-create:create", store.BulkPayout: "cards-admin:addFunds"}

// bulkKindOptions are the upload form's kinds, in order.
var bulkKindOptions = []struct {
	kind   store.BulkKind
	option views.BulkKindOption
}{
	{store.BulkCardholders, views.BulkKindOption{Value: "cardholders"}},
	{store.BulkCards, views.BulkKindOption{Value: "cards"}},
	{store.BulkPayout, views.BulkKindOption{Value: "payout"}},
}

// BulkPage is the console's "Bulk files" page: the upload form (the kinds the operator may
// upload), and the history of the partner's batches.
func (h *Handlers) BulkPage(c echo.Context) error {
	pid := web.PartnerID(c)
	f := store.BulkFilter{PartnerID: pid, Page: store.NewPage(1, 50)}
	failedOnly := c.QueryParam("failed") == "recent"
	if failedOnly {
		since := h.app.Now().Add(-store.FailedBatchesWindow)
		f.FailedSince = &since
	}
	items, _, err := h.store.ListBulkBatches(c.Request().Context(), f)
	if err != nil {
		return err
	}
	p, _ := web.PrincipalOf(c)
	vm := views.BulkView{PartnerID: pid, PartnerName: h.partnerName(c), Batches: items, OperatorID: p.OperatorID,
		CanApprove: web.GrantsOf(c).Has("approvals:update"), FailedOnly: failedOnly}
	if vm.Previews, err = h.payoutPreviews(c, items); err != nil {
		return err
	}
	for _, k := range bulkKindOptions {
		if web.GrantsOf(c).Has(bulkUploadPermission[k.kind]) {
			vm.Kinds = append(vm.Kinds, k.option)
		}
	}
	return h.app.Respond(c, web.View{Title: web.T(c, "bulk.title"), Data: items, Page: views.BulkPage(vm), Partial: views.BulkHistory(vm)})
}

// payoutPreviewRows is how many rows of a payout file its review shows.
const payoutPreviewRows = 20

// payoutPreviews reads the first rows of each payout file waiting for approval, masked as the
// cardholder list masks them for the operator.
func (h *Handlers) payoutPreviews(c echo.Context, batches []store.BulkBatch) (map[int64][]store.PayoutPreviewRow, error) {
	out := map[int64][]store.PayoutPreviewRow{}
	for _, b := range batches {
		if b.Kind != store.BulkPayout || b.Status != store.BatchPendingApproval {
			continue
		}
		rows, err := h.store.PayoutPreview(c.Request().Context(), b.PartnerID, b.ID, payoutPreviewRows)
		if err != nil {
			return nil, err
		}
		if web.NeedsOTP(c, "cardholders") {
			for i := range rows {
				rows[i].MaskPersonal()
			}
		}
		out[b.ID] = rows
	}
	return out, nil
}

// UploadBulkForm is the console's upload: the kind comes from the form, the file from its file
// field; the answer is the batch's live progress panel.
func (h *Handlers) UploadBulkForm(c echo.Context) error {
	body, err := readBulkBody(c, "file")
	defer body.Close()
	if err != nil {
		return err
	}
	kind, ok := bulkTemplateKinds[body.Kind]
	if !ok {
		var v store.Validation
		v.Add("kind", "choose the kind of file: cardholders, cards or payout")
		return v.Err()
	}
	if err := h.app.Check(c, bulkUploadPermission[kind]); err != nil {
		return err
	}
	return h.createBatch(c, kind, body)
}

// createBatch checks the one-time code and stores the batch.
func (h *Handlers) createBatch(c echo.Context, kind store.BulkKind, body *bulkBody) error {
	if err := h.app.RequireOTP(c, body.OTP); err != nil {
		return err
	}
	b, err := h.store.CreateBulkBatch(c.Request().Context(), web.Actor(c), store.NewBulkBatch{PartnerID: web.PartnerID(c),
		Kind: kind, FileName: body.FileName, Path: body.path, Force: body.Force})
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Status: http.StatusCreated, Message: "file received", Data: b, Partial: views.BulkBatchPanel(b)})
}

// UploadBulk receives a bulk file of the kind in the form field: it checks the one-time code (bulk
// operations always need one), stores the file once its type, header and row count are checked,
// and answers 201 with the batch, whose rows a background job then reads and applies.
func (h *Handlers) UploadBulk(kind store.BulkKind, field string) echo.HandlerFunc {
	return func(c echo.Context) error {
		body, err := readBulkBody(c, field)
		defer body.Close()
		if err != nil {
			return err
		}
		return h.createBatch(c, kind, body)
	}
}

// payoutDecisionBody is the body of approve, reject and cancel.
type payoutDecisionBody struct {
	OTP string `json:"otp" form:"otp"`
	// OnInsufficientFunds is STOP or CONTINUE (the default): what the rows left do when the
	// partner's balance runs out.
	OnInsufficientFunds string `json:"onInsufficientFunds" form:"onInsufficientFunds"`
	Reason              string `json:"reason" form:"reason"`
}

// DecidePayout approves (with a one-time code), rejects (with a reason) or cancels (the uploader) a
// payout file waiting for approval.
func (h *Handlers) DecidePayout(action string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := batchParam(c)
		if err != nil {
			return err
		}
		var body payoutDecisionBody
		if err := bind(c, &body); err != nil {
			return err
		}
		d := store.PayoutDecision{Action: action, Reason: body.Reason}
		if action == "approve" {
			switch strings.ToUpper(strings.TrimSpace(body.OnInsufficientFunds)) {
			case "", "CONTINUE":
			case "STOP":
				d.StopOnInsufficient = true
			default:
				var v store.Validation
				v.Add("onInsufficientFunds", "onInsufficientFunds must be STOP or CONTINUE")
				return v.Err()
			}
			if err := h.app.RequireOTP(c, body.OTP); err != nil {
				return err
			}
		}
		b, err := h.store.DecidePayout(c.Request().Context(), web.Actor(c), web.PartnerID(c), id, d)
		if err != nil {
			return err
		}
		// The console's history shows the decision.
		return h.app.Respond(c, web.View{Message: "payout " + action + "d", Data: b, Partial: views.BulkBatchPanel(b), Trigger: "bulk-changed"})
	}
}

func batchParam(c echo.Context) (int64, error) {
	return pathID(c, "batchId", store.NotFound("batch"))
}

// Batches lists the partner's batches, newest first, optionally of one kind and status.
func (h *Handlers) Batches(c echo.Context) error {
	f, err := bulkFilter(c)
	if err != nil {
		return err
	}
	f.Page = pageQuery(c)
	items, total, err := h.store.ListBulkBatches(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Data: listPage[store.BulkBatch]{Items: items, Total: total, Page: f.Page.Number, Limit: f.Page.Limit}})
}

// bulkFilter reads the batch list's kind and status.
func bulkFilter(c echo.Context) (store.BulkFilter, error) {
	f := store.BulkFilter{PartnerID: web.PartnerID(c), Kind: store.BulkKind(strings.ToUpper(c.QueryParam("kind"))),
		Status: strings.ToUpper(c.QueryParam("status"))}
	if f.Kind != "" && !store.ValidBulkKind(f.Kind) {
		var v store.Validation
		v.Add("kind", "kind must be CARDHOLDERS, CARDS or PAYOUT")
		return f, v.Err()
	}
	return f, nil
}

// Batch is one batch with its counts.
func (h *Handlers) Batch(c echo.Context) error {
	id, err := batchParam(c)
	if err != nil {
		return err
	}
	b, err := h.store.BulkBatch(c.Request().Context(), web.PartnerID(c), id)
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Data: b})
}

// BatchProgress streams a batch's progress (SSE): unnamed data frames of the batch id, a space and
// {processed, total, succeeded, failed, status}, with id lines; the stream replays the batch's
// events from its start (or from Last-Event-ID) and ends after the frame of a final status.
func (h *Handlers) BatchProgress(c echo.Context) error {
	id, err := batchParam(c)
	if err != nil {
		return err
	}
	pid := web.PartnerID(c)
	if _, err := h.store.BulkBatch(c.Request().Context(), pid, id); err != nil {
		return err
	}
	filter := store.EventFilter{PartnerIDs: []int64{pid}, TopicPrefix: store.BatchTopicPrefix(id)}
	frames := web.Frames{ReplayAll: true,
		Data: func(ev store.LiveEvent) string {
			var p map[string]any
			_ = json.Unmarshal(ev.Payload, &p)
			delete(p, "batchId")
			b, _ := json.Marshal(p)
			return strconv.FormatInt(id, 10) + " " + string(b)
		},
		Final: func(ev store.LiveEvent) bool {
			var p struct{ Status string }
			_ = json.Unmarshal(ev.Payload, &p)
			return store.BulkBatch{Status: p.Status}.Final()
		}}
	return h.app.StreamFrames(c, func(context.Context) (store.EventFilter, error) {
		for _, p := range bulkReaders {
			if err := h.app.Reauthorize(c, p); err == nil {
				return filter, nil
			} else if !store.IsCode(err, store.CodeForbidden) {
				return store.EventFilter{}, err
			}
		}
		return store.EventFilter{}, store.NewError(store.CodeForbidden, "you need a permission on bulk files")
	}, frames)
}
