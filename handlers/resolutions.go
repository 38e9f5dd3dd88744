package handlers

import (
	"github.com/a-h/templ"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/views"
	"cardconsole/web"
)

type resolutionList struct {
	Total  int                `json:"total"`
	Limit  int                `json:"limit"`
	Offset int                `json:"offset"`
	Data   []store.Resolution `json:"data"`
}

type resolutionTypeList struct {
	Total int                    `json:"total"`
	Data  []store.ResolutionType `json:"data"`
}

// resolutionBody is a resolution as API clients send it; absent fields keep their value on PUT.
type resolutionBody struct {
	PartnerID int64   `json:"partnerId"`
	Type      *int64  `json:"type"`
	Name      *string `json:"name"`
	Text      *string `json:"text"`
	Enabled   *bool   `json:"enabled"`
}

// resolutionInput reads a resolution from JSON or from the console's form, and the form's state.
func resolutionInput(c echo.Context) (resolutionBody, views.ResolutionForm, error) {
	var b resolutionBody
	if !isForm(c) {
		if err := bind(c, &b); err != nil {
			return b, views.ResolutionForm{}, err
		}
	} else {
		if err := c.Request().ParseForm(); err != nil {
			return b, views.ResolutionForm{}, store.NewError(store.CodeCheckParameters, "the form could not be read")
		}
		b.PartnerID, _ = strconv.ParseInt(c.FormValue("partnerId"), 10, 64)
		typeID, _ := strconv.ParseInt(c.FormValue("type"), 10, 64)
		name, text := c.FormValue("name"), c.FormValue("text")
		// The checkbox follows a hidden "false", so a ticked box sends both values.
		enabled := slices.Contains(c.Request().Form["enabled"], "true")
		b.Type, b.Name, b.Text, b.Enabled = &typeID, &name, &text, &enabled
	}
	f := views.ResolutionForm{PartnerID: strconv.FormatInt(b.PartnerID, 10), Enabled: b.Enabled == nil || *b.Enabled}
	if b.Type != nil {
		f.Type = strconv.FormatInt(*b.Type, 10)
	}
	if b.Name != nil {
		f.Name = *b.Name
	}
	if b.Text != nil {
		f.Text = *b.Text
	}
	return b, f, nil
}

// resolutionsView builds the admin screen around form.
func (h *Handlers) resolutionsView(c echo.Context, v store.Viewer, form views.ResolutionForm) (views.ResolutionsView, resolutionList, error) {
	ctx := c.Request().Context()
	var bad store.Validation
	f := store.ResolutionFilter{Name: strings.TrimSpace(c.QueryParam("filter[name]"))}
	vm := views.ResolutionsView{Name: f.Name, Enabled: c.QueryParam("filter[enabled]"), Type: c.QueryParam("filter[type]"), Form: form}
	switch vm.Enabled {
	case "":
	case "true", "false":
		enabled := vm.Enabled == "true"
		f.Enabled = &enabled
	default:
		bad.Add("filter[enabled]", "enabled must be true or false")
	}
	if vm.Type != "" {
		n, err := strconv.ParseInt(vm.Type, 10, 64)
		if err != nil || n <= 0 {
			bad.Add("filter[type]", "type must be a resolution type id")
		}
		f.TypeID = n
	}
	f.Limit, f.Offset = paging(c, &bad)
	if err := bad.Err(); err != nil {
		return vm, resolutionList{}, err
	}
	items, total, err := h.store.ListResolutions(ctx, v, f)
	if err != nil {
		return vm, resolutionList{}, err
	}
	if vm.Types, err = h.store.ResolutionTypes(ctx); err != nil {
		return vm, resolutionList{}, err
	}
	if !web.WantsJSON(c) {
		// Special: only the console's form offers the partners to choose from; the API list does not
		// name them, so API clients never pay for that query.
		p, _ := web.PrincipalOf(c)
		ids, err := h.store.PartnerIDsFor(ctx, p.OperatorID, permApprovalsUpdate)
		if err != nil {
			return vm, resolutionList{}, err
		}
		if vm.Partners, err = h.store.PartnerSummaries(ctx, ids); err != nil {
			return vm, resolutionList{}, err
		}
	}
	vm.Resolutions = items
	q := map[string][]string{}
	for _, k := range []string{"filter[name]", "filter[enabled]", "filter[type]"} {
		if s := c.QueryParam(k); s != "" {
			q[k] = []string{s}
		}
	}
	vm.Pager = views.Pager{Page: f.Offset/f.Limit + 1, Limit: f.Limit, Total: total, Path: "/api/v2/resolutions", Query: q,
		Target: "resolutions-table"}
	return vm, resolutionList{Total: total, Limit: f.Limit, Offset: f.Offset, Data: items}, nil
}

// ListResolutions lists the resolutions of the partners whose requests the operator lists
// (filters: enabled, name, type); the console gets the admin screen.
func (h *Handlers) ListResolutions(c echo.Context) error {
	v, err := h.viewer(c, permApprovalsList)
	if err != nil {
		return err
	}
	vm, list, err := h.resolutionsView(c, v, views.ResolutionForm{Enabled: true})
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Body: web.ApplicationsBody, Title: web.T(c, "resolutions.title"), Data: list, Page: views.ResolutionsPage(vm),
		Partial: views.ResolutionsTable(vm)})
}

// ResolutionTypes lists the resolution types.
func (h *Handlers) ResolutionTypes(c echo.Context) error {
	if _, err := h.viewer(c, permApprovalsList); err != nil {
		return err
	}
	types, err := h.store.ResolutionTypes(c.Request().Context())
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Body: web.ApplicationsBody, Data: resolutionTypeList{Total: len(types), Data: types}})
}

func resolutionID(c echo.Context) (int64, error) {
	return pathID(c, "resolutionId", store.NotFound("resolution"))
}

// resolutionViewer reads the resolution of the path and what the operator may see with permission.
func (h *Handlers) resolutionViewer(c echo.Context, permission string) (int64, store.Viewer, error) {
	return h.pathViewer(c, resolutionID, permission)
}

// Resolution answers one resolution; the console gets the admin screen with its edit form.
func (h *Handlers) Resolution(c echo.Context) error {
	id, v, err := h.resolutionViewer(c, permApprovalsList)
	if err != nil {
		return err
	}
	r, err := h.store.ResolutionByID(c.Request().Context(), v, id)
	if err != nil {
		return err
	}
	form := views.ResolutionForm{ID: r.ID, PartnerID: views.ID(r.PartnerID), Type: views.ID(r.TypeID), Name: r.Name,
		Text: r.Text, Enabled: r.Enabled}
	page, card := h.resolutionsScreen(c, v, form)
	return h.app.Respond(c, web.View{Body: web.ApplicationsBody, Title: web.T(c, "resolutions.page_title", map[string]any{"Name": r.Name}), Data: r, Page: page, Partial: card})
}

// resolutionsScreen is the admin screen around form and the form's card alone, each built only when
// the console renders it.
func (h *Handlers) resolutionsScreen(c echo.Context, v store.Viewer, form views.ResolutionForm) (page, card templ.Component) {
	build := func(part func(views.ResolutionsView) templ.Component) templ.Component {
		return web.Lazy(func() (templ.Component, error) {
			vm, _, err := h.resolutionsView(c, v, form)
			return part(vm), err
		})
	}
	return build(views.ResolutionsPage), build(func(vm views.ResolutionsView) templ.Component { return views.ResolutionFormCard(vm, form) })
}

// formFailed re-renders the console's resolution form with its field errors, or returns err.
func (h *Handlers) formFailed(c echo.Context, v store.Viewer, form views.ResolutionForm, err error) error {
	return h.app.RespondInvalid(c, err, func(fields map[string]string) (web.View, error) {
		form.Errors = fields
		page, card := h.resolutionsScreen(c, v, form)
		return web.View{Title: web.T(c, "resolutions.title"), Page: page, Partial: card}, nil
	})
}

// savedResolution answers a created or updated resolution: the object for API clients, the admin
// screen again for the console.
func (h *Handlers) savedResolution(c echo.Context, status int, r store.Resolution, msg string) error {
	return h.app.Respond(c, web.View{Body: web.ApplicationsBody, Status: status, Data: r,
		Redirect: &web.Redirect{To: "/api/v2/resolutions", Flash: web.Flashed(web.Success, msg)}})
}

// CreateResolution adds a resolution to a partner where the operator holds approvals:update.
func (h *Handlers) CreateResolution(c echo.Context) error {
	v, err := h.viewer(c, permApprovalsUpdate)
	if err != nil {
		return err
	}
	b, form, err := resolutionInput(c)
	if err != nil {
		return err
	}
	in := store.ResolutionInput{PartnerID: b.PartnerID, Enabled: b.Enabled == nil || *b.Enabled}
	if b.Type != nil {
		in.TypeID = *b.Type
	}
	if b.Name != nil {
		in.Name = *b.Name
	}
	if b.Text != nil {
		in.Text = *b.Text
	}
	r, err := h.store.CreateResolution(c.Request().Context(), web.Actor(c), v, in)
	if err != nil {
		return h.formFailed(c, v, form, err)
	}
	return h.savedResolution(c, http.StatusCreated, r, web.T(c, "resolutions.flash_created", map[string]any{"Name": r.Name}))
}

// UpdateResolution changes the fields the body carries.
func (h *Handlers) UpdateResolution(c echo.Context) error {
	id, v, err := h.resolutionViewer(c, permApprovalsUpdate)
	if err != nil {
		return err
	}
	b, form, err := resolutionInput(c)
	if err != nil {
		return err
	}
	form.ID = id
	r, err := h.store.UpdateResolution(c.Request().Context(), web.Actor(c), v, id,
		store.ResolutionPatch{TypeID: b.Type, Name: b.Name, Text: b.Text, Enabled: b.Enabled})
	if err != nil {
		return h.formFailed(c, v, form, err)
	}
	return h.savedResolution(c, http.StatusOK, r, web.T(c, "resolutions.flash_saved", map[string]any{"Name": r.Name}))
}

// DeleteResolution removes a resolution no request cites: 204, or the refreshed table.
func (h *Handlers) DeleteResolution(c echo.Context) error {
	id, v, err := h.resolutionViewer(c, permApprovalsUpdate)
	if err != nil {
		return err
	}
	if err := h.store.DeleteResolution(c.Request().Context(), web.Actor(c), v, id); err != nil {
		return err
	}
	lister := store.OperatorViewer(v.OperatorID, permApprovalsList)
	screen := func(part func(views.ResolutionsView) templ.Component) templ.Component {
		return web.Lazy(func() (templ.Component, error) {
			vm, _, err := h.resolutionsView(c, lister, views.ResolutionForm{Enabled: true})
			return part(vm), err
		})
	}
	return h.app.Respond(c, web.View{Status: http.StatusNoContent, Title: web.T(c, "resolutions.title"), Page: screen(views.ResolutionsPage),
		Partial: screen(views.ResolutionsTable)})
}
