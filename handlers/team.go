package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/views"
	"cardconsole/web"
)

// Permissions lists the permission catalogue and the roles (docs/team.md).
func (h *Handlers) Permissions(c echo.Context) error {
	return h.app.Respond(c, web.View{Data: store.PermissionCatalogue()})
}

type teamPage struct {
	Items []store.TeamMember `json:"items"`
	Total int                `json:"total"`
	Page  int                `json:"page"`
	Limit int                `json:"limit"`
}

// Team lists the operators holding a grant on the partner.
func (h *Handlers) Team(c echo.Context) error {
	f := store.TeamFilter{PartnerID: web.PartnerID(c), Search: c.QueryParam("searchText"),
		Status: strings.ToUpper(strings.TrimSpace(c.QueryParam("status"))), Page: pageQuery(c)}
	items, total, err := h.store.ListTeam(c.Request().Context(), f)
	if err != nil {
		return err
	}
	if items == nil {
		items = []store.TeamMember{}
	}
	q := url.Values{}
	for k, v := range map[string]string{"searchText": f.Search, "status": f.Status} {
		if v != "" {
			q.Set(k, v)
		}
	}
	vm := views.TeamView{PartnerID: f.PartnerID, Members: items, Search: f.Search, Status: f.Status,
		CanInvite: web.GrantsOf(c).Has("users:create"), Roles: store.PermissionCatalogue().Roles,
		Pager: views.Pager{Page: f.Page.Number, Limit: f.Page.Limit, Total: total, Path: views.PartnerURL(f.PartnerID, "/users"), Query: q, Target: "team-table"}}
	return h.app.Respond(c, web.View{Title: web.T(c, "team.title"), Data: teamPage{Items: items, Total: total, Page: f.Page.Number, Limit: f.Page.Limit},
		Page: views.TeamPage(vm), Partial: views.TeamTable(vm)})
}

// userID is the operator of the route, from :userId (0 when it is not a number: not found).
func userID(c echo.Context) int64 {
	id, _ := strconv.ParseInt(c.Param("userId"), 10, 64)
	return id
}

// TeamMember shows one operator of the partner's team with its permissions there.
func (h *Handlers) TeamMember(c echo.Context) error {
	d, err := h.store.TeamMemberOf(c.Request().Context(), web.PartnerID(c), userID(c))
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Title: d.Email, Data: d, Page: views.MemberPage(memberView(c, d, ""))})
}

// memberView is the operator page's model for the viewer of this request.
func memberView(c echo.Context, d store.TeamMemberDetail, message string) views.MemberView {
	vm := views.NewMemberView(web.PartnerID(c), d)
	g := web.GrantsOf(c)
	p, _ := web.PrincipalOf(c)
	vm.CanUpdate, vm.CanChangeStatus, vm.Self, vm.Message = g.Has("users:update"), g.Has("users:change_status"), p.OperatorID == d.ID, message
	return vm
}

type updateMemberRequest struct {
	Name  *string   `json:"name"`
	Roles *[]string `json:"roles"`
	OTP   string    `json:"otp"`
}

// UpdateTeamMember renames an operator or replaces its roles; new roles need a one-time code, as
// every change of grants does.
func (h *Handlers) UpdateTeamMember(c echo.Context) error {
	var req updateMemberRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if req.Roles != nil {
		if err := h.app.RequireOTP(c, req.OTP); err != nil {
			return err
		}
	}
	d, err := h.store.UpdateTeamMember(c.Request().Context(), web.Actor(c), web.PartnerID(c), userID(c),
		store.MemberUpdate{Name: req.Name, Roles: req.Roles})
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Message: "operator updated", Data: d, Partial: views.MemberPanel(memberView(c, d, web.T(c, "member.saved")))})
}

type permissionsRequest struct {
	Permissions []store.GrantPair `json:"permissions"`
	// PermissionIDs are the console checklist's ticked permissions, on the path's partner.
	PermissionIDs []int  `json:"-" form:"permissionIds"`
	OTP           string `json:"otp" form:"otp"`
}

// ReplacePermissions replaces an operator's grants on the partner; a one-time code is always required.
func (h *Handlers) ReplacePermissions(c echo.Context) error {
	var req permissionsRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if err := h.app.RequireOTP(c, req.OTP); err != nil {
		return err
	}
	for _, id := range req.PermissionIDs {
		req.Permissions = append(req.Permissions, store.GrantPair{PermissionID: id, PartnerID: web.PartnerID(c)})
	}
	d, err := h.store.ReplacePermissions(c.Request().Context(), web.Actor(c), web.PartnerID(c), userID(c), req.Permissions)
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Message: "permissions replaced", Data: d, Partial: views.MemberPanel(memberView(c, d, web.T(c, "member.permissions_saved")))})
}

type statusRequest struct {
	Status string `json:"status" form:"status"`
}

// SetOperatorStatus disables or enables an operator; disabling signs it out everywhere at once.
func (h *Handlers) SetOperatorStatus(c echo.Context) error {
	var req statusRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	d, err := h.store.SetOperatorStatus(c.Request().Context(), web.Actor(c), web.PartnerID(c), userID(c),
		strings.ToUpper(strings.TrimSpace(req.Status)))
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Message: "operator " + strings.ToLower(d.Status), Data: d,
		Partial: views.MemberPanel(memberView(c, d, web.T(c, "member.status_"+strings.ToLower(d.Status))))})
}

type elevationRequest struct {
	OTP string `json:"otp" form:"otp"`
}

// ResetAuthenticator removes another operator's authenticator (a one-time code of the caller is
// required); it enrols again at its next sign-in.
func (h *Handlers) ResetAuthenticator(c echo.Context) error {
	var req elevationRequest
	if c.Request().ContentLength != 0 {
		if err := bind(c, &req); err != nil {
			return err
		}
	}
	if req.OTP == "" {
		req.OTP = c.Request().Header.Get("x-otp")
	}
	if req.OTP == "" { // the console's form: htmx sends a DELETE's fields in the query
		req.OTP = c.QueryParam("otp")
	}
	if err := h.app.RequireOTP(c, req.OTP); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := h.store.ResetAuthenticator(ctx, web.Actor(c), web.PartnerID(c), userID(c)); err != nil {
		return err
	}
	d, err := h.store.TeamMemberOf(ctx, web.PartnerID(c), userID(c))
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Message: "authenticator reset", Status: http.StatusOK, Data: d,
		Partial: views.MemberPanel(memberView(c, d, web.T(c, "member.otp_reset")))})
}
