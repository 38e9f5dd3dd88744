package handlers_test

import (
	"net/http"
	"net/url"
	"testing"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store"
)

// The Team page lists the partner's operators with filters and offers the invite form to admins
// only; the partner page links to it for operators holding users:list.
func TestTeamConsolePages(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Uno", "GTQ")
	env, p := fx.Env, fx.Partner
	env.Operator("admin@example.com", false, apptest.Grant{Partner: p, Roles: []string{"admin"}})
	viewer := env.Operator("viewer@example.com", false, apptest.Grant{Partner: p, Roles: []string{"viewer"}})
	env.Operator("nobody@example.com", false, apptest.Grant{Partner: p, Permissions: []string{"cardholders:list"}})

	a := env.Console()
	a.Login("admin@example.com", apptest.Password)
	a.Get(partnerPath(p, ""), false).WantStatus(http.StatusOK).WantSelectors(`[data-testid="link-team"]`)
	a.Get(usersPath(p, ""), false).WantStatus(http.StatusOK).
		WantSelectors(`[data-testid="team-rows"]`, `[data-testid="invite-form"]`).
		Contains("viewer@example.com", "Approve and reject requests")
	a.Get(usersPath(p, "?searchText=viewer"), true).WantStatus(http.StatusOK).
		WantSelectors(`[id="team-table"]`).
		Contains("viewer@example.com").
		Lacks("<html", "admin@example.com</td>")
	res := a.HTMX(http.MethodPost, usersPath(p, ""), url.Values{"email": {"nueva@example.com"}, "name": {"Nueva"}, "roles": {"maker"}})
	res.WantStatus(http.StatusCreated).
		WantSelectors(`[data-testid="invitation-link"]`).
		Contains("/invite/", `data-copy="invitation-link"`)
	a.Get("/cms/rest/app/users/me", false).WantStatus(http.StatusOK).Contains("My account", "Change password", "Invite operators to the team")

	// The operator page: grants as a checklist by resource with the diff area and the OTP dialog,
	// disable with confirmation; saving the checklist needs the code.
	member := a.Get(usersPath(p, "/"+itoa(viewer.ID)), false).WantStatus(http.StatusOK)
	member.WantSelectors(`[data-testid="grants-form"]`, `[data-testid="grants-diff"]`, `[data-testid="otp-dialog"]`,
		`[data-testid="member-disable"]`).
		Contains("hx-confirm", "See the team")
	a.HTMX(http.MethodPut, usersPath(p, "/"+itoa(viewer.ID)+"/permissions"), url.Values{"permissionIds": {itoa(int64(store.PermissionIDOf("users:list")))}}).
		WantStatus(http.StatusForbidden)
	a.HTMX(http.MethodPatch, usersPath(p, "/"+itoa(viewer.ID)+"/status"), url.Values{"status": {"DISABLED"}}).
		WantStatus(http.StatusOK).WantSelectors(`[data-testid="member-enable"]`)

	// Re-enabled, the viewer sees the team without the invite form.
	a.HTMX(http.MethodPatch, usersPath(p, "/"+itoa(viewer.ID)+"/status"), url.Values{"status": {"ACTIVE"}}).WantStatus(http.StatusOK)
	v := env.Console()
	v.Login("viewer@example.com", apptest.Password)
	v.Get(usersPath(p, ""), false).WantStatus(http.StatusOK).Lacks(`data-testid="invite-form"`)

	n := env.Console()
	n.Login("nobody@example.com", apptest.Password)
	n.Get(partnerPath(p, ""), false).WantStatus(http.StatusOK).Lacks(`data-testid="link-team"`)
	n.Get(usersPath(p, ""), false).WantStatus(http.StatusForbidden)
}
