package handlers

import (
	"encoding/json"
	"github.com/a-h/templ"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/views"
	"cardconsole/web"
)

// isForm reports a urlencoded form body (the console) rather than JSON.
func isForm(c echo.Context) bool {
	return strings.HasPrefix(c.Request().Header.Get(echo.HeaderContentType), echo.MIMEApplicationForm)
}

// actionable turns a NotFound of an action into 403 when the operator may see the request but not
// act on it, so that "not allowed" and "does not exist" are told apart only for what one may see.
func (h *Handlers) actionable(c echo.Context, id int64, err error) error {
	if !store.IsCode(err, store.CodeNotFound) {
		return err
	}
	p, _ := web.PrincipalOf(c)
	if _, derr := h.store.ClientRequestByID(c.Request().Context(), store.OperatorViewer(p.OperatorID, permApprovalsDetail), id); derr != nil {
		return err
	}
	if aerr := h.store.Audit(c.Request().Context(), web.Actor(c), store.Event{Action: "authz.refused", ObjectType: "client_request",
		ObjectID: id, After: map[string]string{"reason": "missing permission " + permApprovalsUpdate}}); aerr != nil {
		return aerr
	}
	return store.NewError(store.CodeForbidden, "you need the permission "+permApprovalsUpdate+" on this request's partner")
}

type submitBody struct {
	ClientID int64           `json:"clientId"`
	Type     string          `json:"type"`
	Payload  json.RawMessage `json:"payload"`
	Color    string          `json:"color"`
	StatusID *int            `json:"statusId"`
}

// requestForm reads the console's submission form: payload fields come as payload.<key>, the
// free-form types as a JSON text.
func requestForm(c echo.Context) (views.RequestFormView, submitBody) {
	vm := views.RequestFormView{ClientID: strings.TrimSpace(c.FormValue("clientId")), Type: c.FormValue("type"),
		Fields: map[string]string{}, JSON: c.FormValue("payloadJson")}
	if vm.Type == "" {
		vm.Type = store.RequestDeposit
	}
	body := submitBody{Type: vm.Type}
	body.ClientID, _ = strconv.ParseInt(vm.ClientID, 10, 64)
	keys := views.FormPayloadKeys(vm.Type)
	if keys == nil {
		body.Payload = json.RawMessage(vm.JSON)
		return vm, body
	}
	payload := map[string]any{}
	for _, k := range keys {
		s := strings.TrimSpace(c.FormValue("payload." + k))
		if s == "" {
			continue
		}
		vm.Fields[k] = s
		if strings.HasSuffix(k, "Id") {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				payload[k] = n
				continue
			}
		}
		payload[k] = s
	}
	body.Payload, _ = json.Marshal(payload)
	return vm, body
}

// NewClientRequestForm is the console's submission form; changing the type redraws it.
func (h *Handlers) NewClientRequestForm(c echo.Context) error {
	if _, err := h.viewer(c, permSubmitRequest); err != nil {
		return err
	}
	vm, _ := requestForm(c)
	return h.app.Respond(c, web.View{Title: web.T(c, "requests.form_title"), Page: views.RequestFormPage(vm), Partial: views.RequestForm(vm)})
}

// SubmitClientRequest records a request on behalf of a cardholder: 201 with the Request object, or
// the console's request page.
func (h *Handlers) SubmitClientRequest(c echo.Context) error {
	v, err := h.viewer(c, permSubmitRequest)
	if err != nil {
		return err
	}
	var body submitBody
	var form views.RequestFormView
	if isForm(c) {
		form, body = requestForm(c)
	} else if err := bindStrict(c, &body); err != nil {
		return err
	}
	r, err := h.store.SubmitClientRequest(c.Request().Context(), web.Actor(c), v, store.NewClientRequest{ClientID: body.ClientID,
		Type: body.Type, Payload: body.Payload, Color: body.Color, StatusID: body.StatusID})
	if err != nil {
		return h.app.RespondInvalid(c, err, func(fields map[string]string) (web.View, error) {
			form.Errors = fields
			return web.View{Title: web.T(c, "requests.form_title"), Page: views.RequestFormPage(form), Partial: views.RequestForm(form)}, nil
		})
	}
	return h.app.Respond(c, web.View{Body: web.ApplicationsBody, Status: http.StatusCreated, Data: r,
		Redirect: &web.Redirect{To: views.RequestURL(r.ID), Flash: &web.Flash{Kind: web.Success, Key: "requests.flash_submitted", Args: map[string]any{"ID": r.ID}}}})
}

// ColorClientRequest sets a request's highlight colour ("" clears it); nothing else changes.
func (h *Handlers) ColorClientRequest(c echo.Context) error {
	id, v, err := h.requestViewer(c, permApprovalsUpdate)
	if err != nil {
		return err
	}
	var body struct {
		Color *string `json:"color"`
	}
	if isForm(c) {
		color := c.FormValue("color")
		body.Color = &color
	} else if err := bind(c, &body); err != nil {
		return err
	}
	if body.Color == nil {
		var bad store.Validation
		bad.Add("color", `color is required: a hex colour such as #fbe1e3, or "" to clear the highlight`)
		return bad.Err()
	}
	r, err := h.store.SetRequestColor(c.Request().Context(), web.Actor(c), v, id, *body.Color)
	if err != nil {
		return h.actionable(c, id, err)
	}
	part := views.RequestRow(r)
	if c.Request().Header.Get("HX-Target") == "request-summary" {
		part = views.RequestSummary(r)
	}
	return h.app.Respond(c, web.View{Body: web.ApplicationsBody, Data: r, Partial: part})
}

type auditAnswer struct {
	ClintID  int64    `json:"clintId"` // the spec's spelling
	ClientID int64    `json:"clientId"`
	Result   []string `json:"result"`
}

// AuditClientRequest recomputes the client's card balances from their movements and compares them
// with the stored balances and the request's amount.
func (h *Handlers) AuditClientRequest(c echo.Context) error {
	id, v, err := h.requestViewer(c, permApprovalsUpdate)
	if err != nil {
		return err
	}
	a, err := h.store.AuditClientRequest(c.Request().Context(), web.Actor(c), v, id)
	if err != nil {
		return h.actionable(c, id, err)
	}
	page := web.Lazy(func() (templ.Component, error) {
		vm, err := h.requestDetail(c, v, id)
		vm.Audit = &a
		return views.RequestPage(vm), err
	})
	return h.app.Respond(c, web.View{Body: web.ApplicationsBody, Title: web.T(c, "requests.audit_title", map[string]any{"ID": id}),
		Data: auditAnswer{ClintID: a.ClientID, ClientID: a.ClientID, Result: a.Result}, Partial: views.AuditResult(a), Page: page})
}

// comments reads the internal comments: a JSON array of strings, or the console's textarea with one
// comment per line.
func comments(c echo.Context, fromJSON []string) []string {
	if !isForm(c) {
		return fromJSON
	}
	var out []string
	for _, block := range c.Request().Form["data"] {
		out = append(out, strings.Split(strings.ReplaceAll(block, "\r\n", "\n"), "\n")...)
	}
	return out
}

// ApproveClientRequest approves a request and applies its effect: 204 for API clients, the updated
// review page for the console.
func (h *Handlers) ApproveClientRequest(c echo.Context) error {
	id, v, err := h.requestViewer(c, permApprovalsUpdate)
	if err != nil {
		return err
	}
	var body struct {
		Data []string `json:"data"`
	}
	if !isForm(c) {
		if err := bind(c, &body); err != nil {
			return err
		}
	} else if err := c.Request().ParseForm(); err != nil {
		return store.NewError(store.CodeCheckParameters, "the form could not be read")
	}
	err = h.store.ApproveClientRequest(c.Request().Context(), web.Actor(c), v, id, comments(c, body.Data))
	return h.decided(c, v, id, h.actionable(c, id, err), "requests.flash_approved")
}

type rejectBody struct {
	ResolutionID   int64    `json:"resolutionId"`
	ResolutionType int64    `json:"resolutionType"`
	Data           []string `json:"data"`
}

// RejectClientRequest rejects a request citing an enabled resolution of its partner.
func (h *Handlers) RejectClientRequest(c echo.Context) error {
	id, v, err := h.requestViewer(c, permApprovalsUpdate)
	if err != nil {
		return err
	}
	var body rejectBody
	if isForm(c) {
		body.ResolutionID, _ = strconv.ParseInt(c.FormValue("resolutionId"), 10, 64)
		body.ResolutionType, _ = strconv.ParseInt(c.FormValue("resolutionType"), 10, 64)
	} else if err := bind(c, &body); err != nil {
		return err
	}
	err = h.store.RejectClientRequest(c.Request().Context(), web.Actor(c), v, id,
		store.Rejection{ResolutionID: body.ResolutionID, ResolutionType: body.ResolutionType, Comments: comments(c, body.Data)})
	return h.decided(c, v, id, h.actionable(c, id, err), "requests.flash_rejected")
}

// decided answers a decision: 204 without a body for API clients; the console gets the review page
// again, with the field errors of a refused form or the outcome (the catalogue's message).
func (h *Handlers) decided(c echo.Context, v store.Viewer, id int64, err error, outcome string) error {
	if err != nil {
		return h.app.RespondInvalid(c, err, func(fields map[string]string) (web.View, error) {
			return h.reviewAgain(c, v, id, func(vm *views.RequestDetailView) { vm.Errors = fields }), nil
		})
	}
	view := h.reviewAgain(c, v, id, func(vm *views.RequestDetailView) { vm.Notice = web.T(c, outcome, map[string]any{"ID": id}) })
	view.Status = http.StatusNoContent
	return h.app.Respond(c, view)
}

// reviewAgain is the review page of a request, and its detail for HTMX, completed by fill; each is
// read only when the console renders it.
func (h *Handlers) reviewAgain(c echo.Context, v store.Viewer, id int64, fill func(*views.RequestDetailView)) web.View {
	build := func(show func(views.RequestDetailView) templ.Component) templ.Component {
		return web.Lazy(func() (templ.Component, error) {
			vm, err := h.requestDetail(c, v, id)
			fill(&vm)
			return show(vm), err
		})
	}
	return web.View{Title: web.T(c, "requests.page_title", map[string]any{"ID": id}), Page: build(views.RequestPage), Partial: build(views.RequestDetail)}
}
