package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/views"
	"cardconsole/web"
)

// processRequestPage is the JSON of the paginated listing.
type processRequestPage struct {
	Items []store.ProcessRequest `json:"items"`
	Total int                    `json:"total"`
	Page  int                    `json:"page"`
	Limit int                    `json:"limit"`
}

// CreateProcessRequest takes a new top-up: the multipart body (evidence, requestedAmount,
// observations, otp) is streamed and checked, then the request is recorded as PENDING.
func (h *Handlers) CreateProcessRequest(c echo.Context) error {
	body, err := readTopUpBody(c)
	defer body.Close()
	form := h.topUpForm(c)
	form.Amount, form.Observations = body.Amount, body.Observations
	if err != nil {
		return h.topUpFailed(c, form, err)
	}
	in := store.NewProcessRequest{PartnerID: web.PartnerID(c), Amount: body.Amount, Observations: body.Observations,
		FileName: body.FileName, Kind: body.Kind}
	if !web.WantsJSON(c) {
		// Special: the console takes amounts as people type them (12,500.00); the API keeps plain numbers.
		var v store.Validation
		if d := parseTypedAmount(&v, "requestedAmount", body.Amount); v.Err() == nil {
			in.Amount = d.String()
		} else if v.Has("requestedAmount") && store.IsCode(v.Err(), store.CodeInvalidFormatAmount) {
			return h.topUpFailed(c, form, v.Err())
		}
	}
	if in.Evidence, err = body.evidence(); err != nil {
		return err
	}
	// Fields first, so that a typo does not spend the operator's one-time code.
	if _, err := in.Validate(); err != nil {
		return h.topUpFailed(c, form, err)
	}
	if err := h.app.CheckOTP(c, "balance-management", body.OTP); err != nil {
		return h.topUpFailed(c, form, err)
	}
	pr, err := h.store.CreateProcessRequest(c.Request().Context(), web.Actor(c), h.store.Blobs(), in)
	if err != nil {
		return h.topUpFailed(c, form, err)
	}
	h.withEvidenceURL(&pr)
	flash := &web.Flash{Kind: web.Success, Key: "topups.sent", Args: map[string]any{"ID": pr.ID, "Amount": views.Money(pr.RequestedAmount, pr.Currency)}}
	return h.app.Respond(c, web.View{Status: http.StatusCreated, Message: "process request created", Data: pr,
		Partial: web.Lazy(func() (templ.Component, error) { return views.TopUpFormView(h.topUpForm(c)), nil }),
		Flash:   flash, Trigger: "process-requests-changed",
		Redirect: &web.Redirect{To: views.PartnerURL(pr.PartnerID, "/top-ups"), Flash: flash}})
}

// topUpFailed answers a refused top-up: API clients get the error; HTMX gets the form back with
// the message beside the field it concerns (422), or the error alert when no field does.
func (h *Handlers) topUpFailed(c echo.Context, form views.TopUpForm, err error) error {
	return h.app.RespondInvalid(c, err, func(fields map[string]string) (web.View, error) {
		form.Errors = fields
		return web.View{Partial: views.TopUpFormView(form)}, nil
	})
}

// topUpForm is an empty "New top-up" form for the route's partner and operator.
func (h *Handlers) topUpForm(c echo.Context) views.TopUpForm {
	f := views.TopUpForm{PartnerID: web.PartnerID(c), NeedsOTP: web.NeedsOTP(c, "balance-management")}
	if b, err := h.store.PartnerBalance(c.Request().Context(), f.PartnerID); err == nil {
		f.Currency = b.Currency
	}
	return f
}

// ListProcessRequests is the paginated listing: JSON {items, total, page, limit}, the history table
// for HTMX, the top-ups page otherwise.
func (h *Handlers) ListProcessRequests(c echo.Context) error {
	f := processRequestFilter(c, pageQuery(c))
	items, total, err := h.store.ListProcessRequests(c.Request().Context(), f)
	if err != nil {
		return err
	}
	h.withEvidenceURLs(items)
	hist := h.topUpHistory(c, f, items, total)
	return h.app.Respond(c, web.View{Title: web.T(c, "topups.title"),
		Data:    processRequestPage{Items: items, Total: total, Page: f.Page.Number, Limit: f.Page.Limit},
		Partial: views.TopUpHistory(hist), Page: h.topUpsPage(c, nil, &hist)})
}

// AllProcessRequests is the non-paginated listing (at most store.MaxUnpaged, newest first unless
// order=asc): a JSON array, the review queue for HTMX, the top-ups page otherwise.
func (h *Handlers) AllProcessRequests(c echo.Context) error {
	f := processRequestFilter(c, store.Page{Number: 1, Limit: store.MaxUnpaged})
	items, _, err := h.store.ListProcessRequests(c.Request().Context(), f)
	if err != nil {
		return err
	}
	h.withEvidenceURLs(items)
	queue := h.topUpQueue(c, items)
	return h.app.Respond(c, web.View{Title: web.T(c, "topups.title"), Data: items, Partial: views.TopUpQueue(queue),
		Page: h.topUpsPage(c, &queue, nil)})
}

// TopUps is the console's top-ups screen of a partner: the form, the review queue and the history.
// The partner page loads it as a fragment.
func (h *Handlers) TopUps(c echo.Context) error {
	vm, err := h.topUpsView(c, nil, nil)
	if err != nil {
		return err
	}
	data := map[string]any{"balance": vm.Balance, "pending": vm.Queue.Items,
		"history": processRequestPage{Items: vm.History.Items, Total: vm.History.Pager.Total, Page: vm.History.Pager.Page, Limit: vm.History.Pager.Limit}}
	return h.app.Respond(c, web.View{Title: web.T(c, "topups.title"), Data: data, Page: views.TopUpsPage(vm), Partial: views.TopUpsSection(vm)})
}

// topUpsPage is the full top-ups page, built only when a browser asks for it.
func (h *Handlers) topUpsPage(c echo.Context, queue *views.TopUpQueueView, hist *views.TopUpHistoryView) templ.Component {
	return web.Lazy(func() (templ.Component, error) {
		vm, err := h.topUpsView(c, queue, hist)
		return views.TopUpsPage(vm), err
	})
}

// topUpsView gathers the whole screen, reusing the queue or history already read.
func (h *Handlers) topUpsView(c echo.Context, queue *views.TopUpQueueView, hist *views.TopUpHistoryView) (views.TopUpsView, error) {
	ctx := c.Request().Context()
	id := web.PartnerID(c)
	p, err := h.store.Partner(ctx, id)
	if err != nil {
		return views.TopUpsView{}, err
	}
	b, err := h.store.PartnerBalance(ctx, id)
	if err != nil {
		return views.TopUpsView{}, err
	}
	vm := views.TopUpsView{Partner: p, Balance: b, CanCreate: web.GrantsOf(c).Has("balance-management:create"), Form: h.topUpForm(c)}
	if queue == nil {
		items, _, err := h.store.ListProcessRequests(ctx, store.ProcessRequestFilter{PartnerID: id, Status: store.ProcessPending,
			Order: "asc", Page: store.Page{Number: 1, Limit: store.MaxUnpaged}})
		if err != nil {
			return views.TopUpsView{}, err
		}
		h.withEvidenceURLs(items)
		q := h.topUpQueue(c, items)
		queue = &q
	}
	if hist == nil {
		f := processRequestFilter(c, pageQuery(c))
		if err := f.Check(); err != nil {
			f = store.ProcessRequestFilter{PartnerID: id, Page: f.Page}
		}
		items, total, err := h.store.ListProcessRequests(ctx, f)
		if err != nil {
			return views.TopUpsView{}, err
		}
		h.withEvidenceURLs(items)
		hv := h.topUpHistory(c, f, items, total)
		hist = &hv
	}
	vm.Queue, vm.History = *queue, *hist
	return vm, nil
}

func (h *Handlers) topUpQueue(c echo.Context, items []store.ProcessRequest) views.TopUpQueueView {
	p, _ := web.PrincipalOf(c)
	g := web.GrantsOf(c)
	return views.TopUpQueueView{PartnerID: web.PartnerID(c), Items: items, Viewer: p.OperatorID, CanReview: g.Has("approvals:update"),
		CanCancel: g.Has("balance-management:cancel"), IsAdmin: g.HasRole("admin"), Now: h.app.Now()}
}

func (h *Handlers) topUpHistory(c echo.Context, f store.ProcessRequestFilter, items []store.ProcessRequest, total int) views.TopUpHistoryView {
	q := url.Values{}
	for k, v := range map[string]string{"status": f.Status, "q": f.Query, "sort": f.Sort, "order": f.Order} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return views.TopUpHistoryView{PartnerID: f.PartnerID, Items: items, Status: f.Status, Query: f.Query, Sort: f.Sort, Order: f.Order,
		Now: h.app.Now(), Pager: views.Pager{Page: f.Page.Number, Limit: f.Page.Limit, Total: total,
			Path: views.PartnerURL(f.PartnerID, "/process-requests"), Query: q, Target: "pr-history"}}
}

// processRequestFilter reads status, q, sort and order; the store validates them.
func processRequestFilter(c echo.Context, page store.Page) store.ProcessRequestFilter {
	return store.ProcessRequestFilter{PartnerID: web.PartnerID(c), Status: strings.ToUpper(strings.TrimSpace(c.QueryParam("status"))),
		Query: strings.TrimSpace(c.QueryParam("q")), Sort: c.QueryParam("sort"), Order: c.QueryParam("order"), Page: page}
}

// withEvidenceURL sets the address of the route that hands out the evidence's signed link.
func (h *Handlers) withEvidenceURL(pr *store.ProcessRequest) {
	pr.EvidenceURL = h.app.BaseURL() + views.PartnerURL(pr.PartnerID, fmt.Sprintf("/process-request/%d/evidence/download", pr.ID))
}

func (h *Handlers) withEvidenceURLs(items []store.ProcessRequest) {
	for i := range items {
		h.withEvidenceURL(&items[i])
	}
}

// ApproveProcessRequest approves a PENDING request and credits the partner's balance (204).
func (h *Handlers) ApproveProcessRequest(c echo.Context) error {
	return h.decideProcessRequest(c, store.Approve)
}

// RejectProcessRequest rejects a PENDING request (204).
func (h *Handlers) RejectProcessRequest(c echo.Context) error {
	return h.decideProcessRequest(c, store.Reject)
}

func (h *Handlers) decideProcessRequest(c echo.Context, decision store.Decision) error {
	id, err := processRequestID(c)
	if err != nil {
		return err
	}
	pr, err := h.store.DecideProcessRequest(c.Request().Context(), web.Actor(c), web.PartnerID(c), id, decision)
	if err != nil {
		return err
	}
	flash := &web.Flash{Kind: web.Success, Key: "topups.rejected",
		Args: map[string]any{"ID": pr.ID, "Amount": views.Money(pr.RequestedAmount, pr.Currency)}}
	if decision == store.Approve {
		flash.Key = "topups.approved"
	}
	return h.processRequestChanged(c, flash)
}

// CancelProcessRequest withdraws a PENDING request: its maker or a partner admin may (204).
func (h *Handlers) CancelProcessRequest(c echo.Context) error {
	id, err := processRequestID(c)
	if err != nil {
		return err
	}
	pr, err := h.store.CancelProcessRequest(c.Request().Context(), web.Actor(c), web.PartnerID(c), id, web.GrantsOf(c).HasRole("admin"))
	if err != nil {
		return err
	}
	return h.processRequestChanged(c, &web.Flash{Kind: web.Success, Key: "topups.cancelled", Args: map[string]any{"ID": pr.ID}})
}

// processRequestChanged answers a decision: 204 for API clients; for the console a flash, and
// events that refresh the queue, the history and the balance at once (other operators' screens
// follow through the progress stream).
func (h *Handlers) processRequestChanged(c echo.Context, flash *web.Flash) error {
	return h.app.Respond(c, web.View{Status: http.StatusNoContent, Flash: flash,
		Trigger: "process-requests-changed, balance-changed"})
}

// ProcessRequestProgress streams the partner's process-request events (SSE). The stream re-checks
// the caller's credentials and grant at every heartbeat.
func (h *Handlers) ProcessRequestProgress(c echo.Context) error {
	filter := store.EventFilter{PartnerIDs: []int64{web.PartnerID(c)}, TopicPrefix: "process-request."}
	return h.app.Stream(c, func(context.Context) (store.EventFilter, error) {
		if err := h.app.Reauthorize(c, "balance-management:list"); err != nil {
			return store.EventFilter{}, err
		}
		return filter, nil
	})
}

func processRequestID(c echo.Context) (int64, error) {
	return pathID(c, "processRequestId", store.NotFound("process request"))
}
