package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/views"
	"cardconsole/web"
	"cardconsole/web/i18n"
)

// Permissions of the client requests queue (spec/README.md).
const (
	permApprovalsList   = "approvals:list"
	permApprovalsDetail = "approvals:detail"
	permApprovalsUpdate = "approvals:update"
	permSubmitRequest   = "cardholders:update"
)

// requestList is the JSON answer of the list: the page, the paging it used and the total.
type requestList struct {
	Total  int                   `json:"total"`
	Limit  int                   `json:"limit"`
	Offset int                   `json:"offset"`
	Data   []store.ClientRequest `json:"data"`
}

// viewer is the calling operator acting with permission; an operator who holds it on no partner
// at all is refused (and the refusal audited).
func (h *Handlers) viewer(c echo.Context, permission string) (store.Viewer, error) {
	p, _ := web.PrincipalOf(c)
	ids, err := h.store.PartnerIDsFor(c.Request().Context(), p.OperatorID, permission)
	if err != nil {
		return store.Viewer{}, err
	}
	if len(ids) == 0 {
		if err := h.store.Audit(c.Request().Context(), web.Actor(c), store.Event{Action: "authz.refused", ObjectType: "route",
			ObjectID: c.Request().Method + " " + c.Request().URL.Path,
			After:    map[string]string{"reason": "missing permission " + permission}}); err != nil {
			return store.Viewer{}, err
		}
		return store.Viewer{}, store.NewError(store.CodeForbidden, "you need the permission "+permission+" on at least one partner")
	}
	return store.OperatorViewer(p.OperatorID, permission), nil
}

// requestID reads the :id of the path; anything but a positive number is NotFound.
func requestID(c echo.Context) (int64, error) {
	return pathID(c, "applicationId", store.NotFound("client request"))
}

// requestViewer reads the request of the path and what the operator may see with permission.
func (h *Handlers) requestViewer(c echo.Context, permission string) (int64, store.Viewer, error) {
	return h.pathViewer(c, requestID, permission)
}

// pathViewer reads the object of the path with id and what the operator may see with permission.
func (h *Handlers) pathViewer(c echo.Context, id func(echo.Context) (int64, error), permission string) (int64, store.Viewer, error) {
	n, err := id(c)
	if err != nil {
		return 0, store.Viewer{}, err
	}
	v, err := h.viewer(c, permission)
	return n, v, err
}

// paging reads limit and offset (or the console's page) of an /api/v2 list.
func paging(c echo.Context, v *store.Validation) (limit, offset int) {
	limit = store.DefaultLimit
	if s := c.QueryParam("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			v.Add("limit", "limit must be a positive integer")
		} else {
			limit = min(n, store.MaxLimit)
		}
	}
	if s := c.QueryParam("offset"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			v.Add("offset", "offset must be zero or a positive integer")
		} else {
			offset = n
		}
	} else if page := intQuery(c, "page", 1); page > 1 {
		offset = (page - 1) * limit
	}
	return limit, offset
}

// requestFilter reads the list's filters. Without filter[statusId] the console shows pending
// requests and the API every status; "all" asks for every status in both.
func requestFilter(c echo.Context) (store.ClientRequestFilter, views.RequestsFilter, error) {
	form := views.RequestsFilter{ID: c.QueryParam("filter[id]"), ClientID: c.QueryParam("filter[clientId]"),
		Client: strings.TrimSpace(c.QueryParam("filter[client]")), Type: c.QueryParam("filter[type]"),
		Status: c.QueryParam("filter[statusId]"), DateFrom: c.QueryParam("filter[dateFrom]"),
		DateTo: c.QueryParam("filter[dateTo]"), Sort: c.QueryParam("sort")}
	var v store.Validation
	f := store.ClientRequestFilter{Type: form.Type, Client: form.Client, Sort: form.Sort}
	readID := func(field, s string) int64 {
		if s == "" {
			return 0
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			v.Add(field, field+" must be a positive integer")
		}
		return n
	}
	f.ID = readID("filter[id]", form.ID)
	f.ClientID = readID("filter[clientId]", form.ClientID)
	switch form.Status {
	case "":
		// Special: the console's queue opens on the pending requests; the API lists every status.
		if !web.WantsJSON(c) {
			pending := store.StatusPending
			f.Status = &pending
			form.Status = strconv.Itoa(pending)
		}
	case "all":
	default:
		n, err := strconv.Atoi(form.Status)
		if err != nil {
			v.Add("filter[statusId]", "statusId must be a number or all")
		} else {
			f.Status = &n
		}
	}
	// The console's days are those its screens show the times in; API clients filter by UTC days.
	zone := time.UTC
	if !web.WantsJSON(c) {
		zone = i18n.From(c.Request().Context()).Zone
	}
	readDate := func(field, s string, end bool) *time.Time {
		if s == "" {
			return nil
		}
		d, err := time.ParseInLocation(time.DateOnly, s, zone)
		if err != nil {
			v.Add(field, field+" must be a date as YYYY-MM-DD")
			return nil
		}
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return &d
	}
	f.From = readDate("filter[dateFrom]", form.DateFrom, false)
	f.To = readDate("filter[dateTo]", form.DateTo, true)
	f.Limit, f.Offset = paging(c, &v)
	if err := v.Err(); err != nil {
		return f, form, err
	}
	if err := f.Validate(); err != nil {
		return f, form, err
	}
	form.Sort = f.Sort
	return f, form, nil
}

// filterQuery is the query string of the form's filters, for links (pages, sorting, export).
func filterQuery(form views.RequestsFilter) url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"filter[id]": form.ID, "filter[clientId]": form.ClientID, "filter[client]": form.Client,
		"filter[type]": form.Type, "filter[statusId]": form.Status, "filter[dateFrom]": form.DateFrom,
		"filter[dateTo]": form.DateTo, "sort": form.Sort} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// ListClientRequests is the queue: JSON for API clients, the queue page for the console.
func (h *Handlers) ListClientRequests(c echo.Context) error {
	v, err := h.viewer(c, permApprovalsList)
	if err != nil {
		return err
	}
	f, form, err := requestFilter(c)
	if err != nil {
		// The console keeps the form and says what is wrong instead of an error page.
		return h.app.RespondInvalid(c, err, func(fields map[string]string) (web.View, error) {
			vm := views.RequestsView{Filter: form, Errors: fields,
				Pager: views.Pager{Page: 1, Limit: store.DefaultLimit, Path: views.RequestsPath, Target: "requests-table"}}
			return web.View{Status: http.StatusBadRequest, Title: web.T(c, "requests.title"), Page: views.RequestsPage(vm), Partial: views.RequestsTable(vm)}, nil
		})
	}
	ctx := c.Request().Context()
	items, total, err := h.store.ListClientRequests(ctx, v, f)
	if err != nil {
		return err
	}
	if err := h.maskRequests(c, items); err != nil {
		return err
	}
	p, _ := web.PrincipalOf(c)
	submitters, err := h.store.PartnerIDsFor(ctx, p.OperatorID, permSubmitRequest)
	if err != nil {
		return err
	}
	q := filterQuery(form)
	vm := views.RequestsView{Requests: items, Filter: form, CanSubmit: len(submitters) > 0,
		ExportURL: views.WithQuery(views.RequestsPath+"/export", q),
		Pager:     views.Pager{Page: f.Offset/f.Limit + 1, Limit: f.Limit, Total: total, Path: views.RequestsPath, Query: q, Target: "requests-table"}}
	return h.app.Respond(c, web.View{Body: web.ApplicationsBody, Title: web.T(c, "requests.title"),
		Data: requestList{Total: total, Limit: f.Limit, Offset: f.Offset, Data: items},
		Page: views.RequestsPage(vm), Partial: views.RequestsTable(vm)})
}

// ClientRequest is a request's detail: the Request object with its client, cards, comments and
// history for API clients, the review page for the console.
func (h *Handlers) ClientRequest(c echo.Context) error {
	id, v, err := h.requestViewer(c, permApprovalsDetail)
	if err != nil {
		return err
	}
	vm, err := h.requestDetail(c, v, id)
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Body: web.ApplicationsBody, Title: requestTitle(c, vm.Detail.ClientRequest),
		Data: vm.Detail, Page: views.RequestPage(vm), Partial: views.RequestDetail(vm)})
}

// requestTitle is the title of a request's page: "Deposit request #12".
func requestTitle(c echo.Context, r store.ClientRequest) string {
	ctx := c.Request().Context()
	return web.T(c, "requests.heading", map[string]any{"Type": views.RequestTypeLabel(ctx, r.Type),
		"Word": views.RequestTypeWord(ctx, r.Type), "ID": r.ID})
}

// requestDetail builds the review page's view model.
func (h *Handlers) requestDetail(c echo.Context, v store.Viewer, id int64) (views.RequestDetailView, error) {
	ctx := c.Request().Context()
	d, err := h.store.ClientRequestDetail(ctx, web.Actor(c), v, id)
	if err != nil {
		return views.RequestDetailView{}, err
	}
	p, _ := web.PrincipalOf(c)
	g, err := h.store.GrantsFor(ctx, p.OperatorID, d.PartnerID)
	if err != nil {
		return views.RequestDetailView{}, err
	}
	if g.Has(permCardholdersOTP) {
		d.MaskPersonal()
	}
	vm := views.RequestDetailView{Detail: d, CanUpdate: g.Has(permApprovalsUpdate),
		OwnRequest: d.SubmittedBy != nil && *d.SubmittedBy == p.OperatorID}
	// Special: the resolutions feed the console's Reject form; the API's Request object has none.
	if vm.Decidable() && !web.WantsJSON(c) {
		enabled := true
		res, _, err := h.store.ListResolutions(ctx, store.OperatorViewer(p.OperatorID, permApprovalsUpdate),
			store.ResolutionFilter{Enabled: &enabled, PartnerID: d.PartnerID, Limit: store.MaxLimit})
		if err != nil {
			return vm, err
		}
		vm.Resolutions = res
	}
	return vm, nil
}

type notification struct {
	Link string `json:"link"`
	Type string `json:"type"`
	Text string `json:"text"`
}

type notificationList struct {
	Total int            `json:"total"`
	Data  []notification `json:"data"`
}

// RequestNotifications lists the newest pending requests the operator may see, with links to their
// console pages.
func (h *Handlers) RequestNotifications(c echo.Context) error {
	v, err := h.viewer(c, permApprovalsList)
	if err != nil {
		return err
	}
	var bad store.Validation
	limit, _ := paging(c, &bad)
	if err := bad.Err(); err != nil {
		return err
	}
	items, total, err := h.store.PendingRequests(c.Request().Context(), v, limit)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	out := notificationList{Total: total, Data: make([]notification, 0, len(items))}
	base := strings.TrimSuffix(h.app.BaseURL(), "/")
	for _, r := range items {
		out.Data = append(out.Data, notification{Link: base + views.RequestURL(r.ID), Type: views.RequestTypeLabel(ctx, r.Type),
			Text: views.RequestText(ctx, r)})
	}
	return h.app.Respond(c, web.View{Body: web.ApplicationsBody, Title: web.T(c, "requests.notifications"), Data: out, Page: views.NotificationsList(total, items)})
}

// PendingRequestsStream keeps the bell live: an event stream whose "pending" events carry the bell's
// count as HTML, recounted for this operator whenever a request of their partners changes.
func (h *Handlers) PendingRequestsStream(c echo.Context) error {
	v, err := h.viewer(c, permApprovalsList)
	if err != nil {
		return err
	}
	authorize := func(ctx context.Context) (store.EventFilter, error) {
		ids, err := h.store.PartnerIDsFor(ctx, v.OperatorID, permApprovalsList)
		if err != nil {
			return store.EventFilter{}, err
		}
		if len(ids) == 0 {
			return store.EventFilter{}, store.NewError(store.CodeForbidden, "you need the permission "+permApprovalsList)
		}
		return store.EventFilter{PartnerIDs: ids, TopicPrefix: store.TopicClientRequests}, nil
	}
	return h.app.StreamRefreshes(c, "pending", authorize, func(ctx context.Context) (templ.Component, error) {
		n, err := h.store.CountPendingRequests(ctx, v)
		return views.BellCount(n), err
	})
}
