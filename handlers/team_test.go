package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store"
)

// teamEnv is a partner with an enrolled admin and a maker.
func teamEnv(t *testing.T) (*apptest.Env, int64, *apptest.Operator, *apptest.Operator) {
	t.Helper()
	fx := apptest.New(t, handlers.Routes).Fixture("Uno", "GTQ")
	env, p := fx.Env, fx.Partner
	admin := env.Operator("admin@example.com", true, apptest.Grant{Partner: p, Roles: []string{"admin"}})
	maker := env.Operator("maker@example.com", true, apptest.Grant{Partner: p, Roles: []string{"maker"}})
	return env, p, admin, maker
}

func usersPath(p int64, rest string) string {
	return "/cms/rest/app/partners/" + itoa(p) + "/users" + rest
}

func pairs(p int64, names ...string) []map[string]any {
	out := []map[string]any{}
	for _, n := range names {
		out = append(out, map[string]any{"permissionId": store.PermissionIDOf(n), "partnerId": p})
	}
	return out
}

// lastAudit returns the newest audit entry of an action.
func lastAudit(t *testing.T, env *apptest.Env, action string) store.AuditEntry {
	t.Helper()
	var e store.AuditEntry
	err := env.Store.DB().Get(&e, `SELECT id, at, actor_type, actor_id, actor_label, partner_id, action, object_type, object_id,
		before, after, request_id, ip FROM audit_log WHERE action = $1 ORDER BY id DESC LIMIT 1`, action)
	if err != nil {
		t.Fatalf("no audit entry %s: %v", action, err)
	}
	return e
}

func TestPermissionCatalogue(t *testing.T) {
	t.Parallel()
	env, _, admin, _ := teamEnv(t)
	var res struct {
		Data store.Catalogue `json:"data"`
	}
	admin.Do(http.MethodGet, "/cms/rest/app/permissions", nil).WantStatus(http.StatusOK).Decode(&res)
	_ = env
	byName := map[string]store.PermissionInfo{}
	for _, p := range res.Data.Permissions {
		byName[p.Name] = p
	}
	for _, want := range []string{"users:create", "users:update", "users:list", "users:detail", "users:change_status"} {
		p, ok := byName[want]
		if !ok || p.Resource != "users" || p.Description == "" || p.ID == 0 {
			t.Fatalf("%s missing or incomplete in the catalogue: %+v", want, p)
		}
	}
	var adminRole store.RoleInfo
	for _, r := range res.Data.Roles {
		if r.Name == "admin" {
			adminRole = r
		}
	}
	if !strings.Contains(strings.Join(adminRole.Names, ","), "users:change_status") || len(adminRole.Permissions) != len(adminRole.Names) {
		t.Fatalf("admin role %+v", adminRole)
	}
}

func TestTeamListSearchStatusPaging(t *testing.T) {
	t.Parallel()
	env, p, admin, maker := teamEnv(t)
	other := env.Partner("Dos", "GTQ")
	env.Operator("elsewhere@example.com", false, apptest.Grant{Partner: other, Roles: []string{"viewer"}})
	for _, e := range []string{"v1@example.com", "v2@example.com", "v3@example.com"} {
		env.Operator(e, false, apptest.Grant{Partner: p, Roles: []string{"viewer"}})
	}
	admin.Do(http.MethodPost, usersPath(p, ""), map[string]any{"email": "new@example.com", "name": "Nuevo", "roles": []string{"viewer"}}).
		WantStatus(http.StatusCreated)

	d := admin.Do(http.MethodGet, usersPath(p, "?limit=2&page=2"), nil).WantStatus(http.StatusOK).Data()
	if d["total"].(float64) != 6 || len(d["items"].([]any)) != 2 {
		t.Fatalf("page 2: %v", d)
	}
	d = admin.Do(http.MethodGet, usersPath(p, "?searchText=MAKER"), nil).WantStatus(http.StatusOK).Data()
	items := d["items"].([]any)
	if d["total"].(float64) != 1 || items[0].(map[string]any)["email"] != maker.Email ||
		items[0].(map[string]any)["otpEnrolled"] != true || items[0].(map[string]any)["roles"].([]any)[0] != "maker" {
		t.Fatalf("search: %v", d)
	}
	d = admin.Do(http.MethodGet, usersPath(p, "?status=INVITED"), nil).WantStatus(http.StatusOK).Data()
	if d["total"].(float64) != 1 || d["items"].([]any)[0].(map[string]any)["name"] != "Nuevo" {
		t.Fatalf("invited: %v", d)
	}
	admin.Do(http.MethodGet, usersPath(p, "?status=GONE"), nil).WantError(http.StatusBadRequest, "7000")
	// The other partner's operator is not part of this team.
	if strings.Contains(string(admin.Do(http.MethodGet, usersPath(p, "?limit=100"), nil).Body), "elsewhere@") {
		t.Fatal("an operator of another partner is listed")
	}
	// A viewer of another partner has no access at all; a maker may list (users:list) but not invite.
	maker.Do(http.MethodPost, usersPath(p, ""), map[string]any{"email": "x@example.com", "roles": []string{"viewer"}}).
		WantError(http.StatusForbidden, "7005")
}

func TestGrantRules(t *testing.T) {
	t.Parallel()
	env, p, admin, maker := teamEnv(t)
	other := env.Partner("Dos", "GTQ")
	viewer := env.Operator("viewer@example.com", false, apptest.Grant{Partner: p, Roles: []string{"viewer"}})
	path := usersPath(p, "/"+itoa(viewer.ID)+"/permissions")

	// No code, or a wrong one: refused.
	admin.Do(http.MethodPut, path, map[string]any{"permissions": pairs(p, "users:list")}).WantError(http.StatusForbidden, "7007")
	admin.Do(http.MethodPut, path, map[string]any{"permissions": pairs(p, "users:list"), "otp": "000000"}).WantError(http.StatusForbidden, "7008")
	// A partnerId in the body that is not the path's: refused, and audited.
	cross := append(pairs(p, "users:list"), pairs(other, "cardholders:list")...)
	admin.Do(http.MethodPut, path, map[string]any{"permissions": cross, "otp": admin.OTP()}).WantError(http.StatusForbidden, "7005")
	if r := lastAudit(t, env, "operator.permissions.refused"); r.ActorLabel != admin.Email {
		t.Fatalf("refusal audited as %+v", r)
	}
	// A permission the granter does not hold: audit-log:list is in admin, cards-admin:otp is not.
	admin.Do(http.MethodPut, path, map[string]any{"permissions": pairs(p, "users:list", "cards-admin:otp"), "otp": admin.OTP()}).
		WantError(http.StatusForbidden, "7005")
	// Nobody changes their own grants.
	admin.Do(http.MethodPut, usersPath(p, "/"+itoa(admin.ID)+"/permissions"),
		map[string]any{"permissions": pairs(p, "users:update", "users:list"), "otp": admin.OTP()}).WantError(http.StatusForbidden, "7005")
	// A maker lacks users:update altogether.
	maker.Do(http.MethodPut, path, map[string]any{"permissions": pairs(p, "users:list"), "otp": maker.OTP()}).WantError(http.StatusForbidden, "7005")

	// The allowed change replaces the grants and is audited with names before and after.
	d := admin.Do(http.MethodPut, path, map[string]any{"permissions": pairs(p, "users:list", "cardholders:list", "audit-log:list"), "otp": admin.OTP()}).
		WantStatus(http.StatusOK).Data()
	if got := d["permissions"].([]any); len(got) != 3 || got[0] != "audit-log:list" {
		t.Fatalf("permissions after: %v", d)
	}
	g, err := env.Store.GrantsFor(t.Context(), viewer.ID, p)
	if err != nil || !g.Has("audit-log:list") || g.Has("cards-admin:detail") || g.HasRole("viewer") {
		t.Fatalf("grants %+v %v", g, err)
	}
	entry := lastAudit(t, env, "operator.permissions")
	var before, after map[string][]string
	if json.Unmarshal(entry.Before, &before) != nil || json.Unmarshal(entry.After, &after) != nil {
		t.Fatalf("audit %+v", entry)
	}
	if !strings.Contains(strings.Join(before["permissions"], ","), "cards-admin:detail") || before["roles"][0] != "viewer" ||
		strings.Join(after["permissions"], ",") != "audit-log:list,cardholders:list,users:list" || *entry.ActorID != admin.ID || entry.ObjectID != itoa(viewer.ID) {
		t.Fatalf("audit before %v after %v", before, after)
	}
	// Roles through PATCH follow the same rules, with a code.
	admin.Do(http.MethodPatch, usersPath(p, "/"+itoa(viewer.ID)), map[string]any{"roles": []string{"checker"}}).WantError(http.StatusForbidden, "7007")
	d = admin.Do(http.MethodPatch, usersPath(p, "/"+itoa(viewer.ID)), map[string]any{"name": "Vera", "roles": []string{"checker"}, "otp": admin.OTP()}).
		WantStatus(http.StatusOK).Data()
	if d["name"] != "Vera" || d["roles"].([]any)[0] != "checker" {
		t.Fatalf("patched %v", d)
	}
	d = admin.Do(http.MethodGet, usersPath(p, "/"+itoa(viewer.ID)), nil).WantStatus(http.StatusOK).Data()
	if !strings.Contains(string(mustJSON(t, d["permissions"])), "approvals:update") {
		t.Fatalf("detail %v", d)
	}
	// An operator of another partner is not found here.
	stranger := env.Operator("stranger@example.com", false, apptest.Grant{Partner: other, Roles: []string{"viewer"}})
	admin.Do(http.MethodGet, usersPath(p, "/"+itoa(stranger.ID)), nil).WantError(http.StatusNotFound, "7010")
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLastAdminProtection(t *testing.T) {
	t.Parallel()
	env, p, admin, _ := teamEnv(t)
	second := env.Operator("second@example.com", true, apptest.Grant{Partner: p, Roles: []string{"admin"}})
	// The second admin takes users:update away from the first: fine, one is left.
	second.Do(http.MethodPut, usersPath(p, "/"+itoa(admin.ID)+"/permissions"),
		map[string]any{"permissions": pairs(p, "users:list"), "otp": second.OTP()}).WantStatus(http.StatusOK)
	// Nobody is left to disable the last one, and a new admin could not take it away: give it back first.
	if err := env.Store.Grant(t.Context(), store.SystemActor("test"), admin.ID, p, []string{"admin"}, nil); err != nil {
		t.Fatal(err)
	}
	admin.Do(http.MethodPatch, usersPath(p, "/"+itoa(second.ID)+"/status"), map[string]any{"status": "DISABLED"}).WantStatus(http.StatusOK)
	// Now the admin is the only one who can grant: another admin (disabled) does not count.
	if err := env.Store.Grant(t.Context(), store.SystemActor("test"), second.ID, p, nil, []string{"users:update"}); err != nil {
		t.Fatal(err)
	}
	third := env.Operator("third@example.com", true, apptest.Grant{Partner: p, Permissions: []string{"users:update", "users:change_status", "users:list"}})
	// third removes the admin's users:update: it still holds it itself, so that is allowed...
	third.Do(http.MethodPut, usersPath(p, "/"+itoa(admin.ID)+"/permissions"),
		map[string]any{"permissions": pairs(p, "users:list", "users:change_status"), "otp": third.OTP()}).WantStatus(http.StatusOK)
	// ...but the admin, now without users:update, cannot remove third's, and disabling third is the last-admin case.
	res := admin.Do(http.MethodPatch, usersPath(p, "/"+itoa(third.ID)+"/status"), map[string]any{"status": "DISABLED"})
	res.WantError(http.StatusConflict, string(store.CodeLastAdmin))
	if !strings.Contains(string(res.Body), "users:update") {
		t.Fatalf("message does not say what is missing: %s", res.Body)
	}
	if r := lastAudit(t, env, "operator.status.refused"); r.ObjectID != itoa(third.ID) {
		t.Fatalf("refusal audit %+v", r)
	}
	op, _ := env.Store.OperatorByID(t.Context(), third.ID)
	if op.Status != "ACTIVE" {
		t.Fatalf("the refused change was kept: %s", op.Status)
	}
}

func TestDisableEndsEverySession(t *testing.T) {
	t.Parallel()
	env, p, admin, maker := teamEnv(t)
	maker.Login()
	// A refresh token of the maker, from a second API sign-in.
	auth := map[string]string{"Authorization": "Bearer " + env.AppToken()}
	res := env.Do(http.MethodPost, "/cms/rest/app/users/login", auth, map[string]string{"email": maker.Email, "password": apptest.Password})
	if res.Status == http.StatusUnauthorized {
		ch := res.JSON()["data"].(map[string]any)
		res = env.Do(http.MethodPost, "/cms/rest/app/users/login/otp", auth, map[string]string{"challenge": ch["challenge"].(string), "otp": env.SignInCode(maker.Email)})
	}
	refresh := res.WantStatus(http.StatusOK).Data()["refreshToken"].(string)
	browser := env.Console()
	browser.Login(maker.Email, apptest.Password)
	browser.Get("/", false).WantStatus(http.StatusOK)

	d := admin.Do(http.MethodPatch, usersPath(p, "/"+itoa(maker.ID)+"/status"), map[string]any{"status": "DISABLED"}).WantStatus(http.StatusOK).Data()
	if d["status"] != "DISABLED" {
		t.Fatalf("status %v", d)
	}
	maker.Do(http.MethodGet, "/cms/rest/app/users/me", nil).WantError(http.StatusUnauthorized, "7004")
	env.Do(http.MethodPost, "/cms/rest/app/users/refresh", auth, map[string]string{"refreshToken": refresh}).WantError(http.StatusUnauthorized, "7004")
	if r := browser.HTMX(http.MethodGet, "/cms/rest/app/users/me", nil); r.Status != http.StatusUnauthorized || r.Header.Get("HX-Redirect") == "" {
		t.Fatalf("the console session survived: %d %v", r.Status, r.Header)
	}
	// Enabling again lets the operator sign in anew; the old tokens stay dead.
	admin.Do(http.MethodPatch, usersPath(p, "/"+itoa(maker.ID)+"/status"), map[string]any{"status": "ACTIVE"}).WantStatus(http.StatusOK)
	maker.Do(http.MethodGet, "/cms/rest/app/users/me", nil).WantError(http.StatusUnauthorized, "7004")
	maker.Token = ""
	maker.Do(http.MethodGet, "/cms/rest/app/users/me", nil).WantStatus(http.StatusOK)
	admin.Do(http.MethodPatch, usersPath(p, "/"+itoa(admin.ID)+"/status"), map[string]any{"status": "DISABLED"}).WantError(http.StatusForbidden, "7005")
	if e := lastAudit(t, env, "operator.status"); string(e.Before) == "" || !strings.Contains(string(e.After), "ACTIVE") {
		t.Fatalf("status audit %+v", e)
	}
}

// inviteAndJoin invites email with roles and walks the invitation through the API; it returns the
// joined operator's secret, recovery codes and the invitation token.
func invite(t *testing.T, admin *apptest.Operator, p int64, email string, roles ...string) (string, map[string]any) {
	t.Helper()
	d := admin.Do(http.MethodPost, usersPath(p, ""), map[string]any{"email": email, "name": "Nuevo", "roles": roles}).WantStatus(http.StatusCreated).Data()
	u, err := url.Parse(d["invitationUrl"].(string))
	if err != nil || !strings.HasPrefix(u.Path, "/invite/") || d["status"] != "INVITED" {
		t.Fatalf("invitation %v", d)
	}
	return strings.TrimPrefix(u.Path, "/invite/"), d
}

func TestInvitationJourney(t *testing.T) {
	t.Parallel()
	env, p, admin, _ := teamEnv(t)
	token, _ := invite(t, admin, p, "nuevo@example.com", "maker")
	// The invited operator cannot sign in yet.
	auth := map[string]string{"Authorization": "Bearer " + env.AppToken()}
	env.Do(http.MethodGet, "/invite/"+token, nil, nil).WantStatus(http.StatusOK)
	env.Do(http.MethodPost, "/invite/"+token, nil, map[string]string{"name": "Nuevo", "password": "short"}).WantError(http.StatusBadRequest, "7000")
	e := env.Do(http.MethodPost, "/invite/"+token, nil, map[string]string{"name": "Nuevo Operador", "password": apptest.Password}).WantStatus(http.StatusOK).Data()
	secret := e["secret"].(string)
	if !strings.HasPrefix(e["qrSvg"].(string), "<svg") || !strings.Contains(e["otpauthUri"].(string), secret) {
		t.Fatalf("enrolment %v", e)
	}
	env.Do(http.MethodPost, "/cms/rest/app/users/login", auth, map[string]string{"email": "nuevo@example.com", "password": apptest.Password}).
		WantError(http.StatusUnauthorized, "7004")
	env.Do(http.MethodPut, "/invite/"+token+"/otp", nil, map[string]string{"code": "000000"}).WantError(http.StatusForbidden, "7008")
	env.Enrolled("nuevo@example.com", secret)
	joined := env.Do(http.MethodPut, "/invite/"+token+"/otp", nil, map[string]string{"code": env.SignInCode("nuevo@example.com")}).WantStatus(http.StatusOK).Data()
	codes := joined["recoveryCodes"].([]any)
	if len(codes) != store.RecoveryCodeCount {
		t.Fatalf("recovery codes %v", joined)
	}
	// The link is spent.
	env.Do(http.MethodGet, "/invite/"+token, nil, nil).WantError(http.StatusGone, string(store.CodeInvitationInvalid))
	env.Do(http.MethodPut, "/invite/"+token+"/otp", nil, map[string]string{"code": env.SignInCode("nuevo@example.com")}).
		WantError(http.StatusGone, string(store.CodeInvitationInvalid))
	// The operator is active with the maker grants and signs in with its authenticator.
	nuevo := env.Existing("nuevo@example.com", int64(joined["operatorId"].(float64)))
	me := nuevo.Do(http.MethodGet, "/cms/rest/app/users/me", nil).WantStatus(http.StatusOK).Data()
	if me["status"] != "ACTIVE" || me["otpEnrolled"] != true || me["name"] != "Nuevo Operador" || me["recoveryCodesLeft"].(float64) != 10 {
		t.Fatalf("me %v", me)
	}

	// A recovery code replaces a TOTP code once.
	code := codes[0].(string)
	nuevo.Do(http.MethodPost, "/cms/rest/app/users/me/recovery-codes", map[string]string{"otp": code}).WantStatus(http.StatusOK)
	// Regenerating replaced the set, and the used one never works again.
	nuevo.Do(http.MethodPost, "/cms/rest/app/users/me/recovery-codes", map[string]string{"otp": code}).WantError(http.StatusForbidden, "7008")
	if n := auditCount(t, env, "auth.recovery_code_used"); n != 1 {
		t.Fatalf("%d recovery code uses audited", n)
	}
}

func TestRecoveryCodeWorksOnce(t *testing.T) {
	t.Parallel()
	env, p, admin, _ := teamEnv(t)
	viewer := env.Operator("viewer@example.com", false, apptest.Grant{Partner: p, Roles: []string{"viewer"}})
	viewer.Do(http.MethodPut, "/cms/rest/app/users/me/otp", map[string]string{"code": "123456"}).WantError(http.StatusConflict, "7011")
	e := viewer.Do(http.MethodPost, "/cms/rest/app/users/me/otp", nil).WantStatus(http.StatusOK).Data()
	env.Enrolled(viewer.Email, e["secret"].(string))
	codes := viewer.Do(http.MethodPut, "/cms/rest/app/users/me/otp", map[string]string{"code": viewer.OTP()}).WantStatus(http.StatusOK).Data()["recoveryCodes"].([]any)
	// Re-enrolling needs a code of the current authenticator: a recovery code does it once.
	viewer.Do(http.MethodPost, "/cms/rest/app/users/me/otp", nil).WantError(http.StatusForbidden, "7007")
	rc := strings.ToUpper(codes[3].(string))
	viewer.Do(http.MethodPost, "/cms/rest/app/users/me/otp", map[string]string{"otp": rc}).WantStatus(http.StatusOK)
	viewer.Do(http.MethodPost, "/cms/rest/app/users/me/otp", map[string]string{"otp": rc}).WantError(http.StatusForbidden, "7008")
	_ = admin
}

func TestInvitationExpiresAndIsSingle(t *testing.T) {
	t.Parallel()
	env, p, admin, _ := teamEnv(t)
	token, _ := invite(t, admin, p, "late@example.com", "viewer")
	env.AdvanceClock(store.DefaultInvitationTTL + time.Minute)
	env.Do(http.MethodPost, "/invite/"+token, nil, map[string]string{"name": "Late", "password": apptest.Password}).
		WantError(http.StatusGone, string(store.CodeInvitationInvalid))
	// A new invite replaces the old link.
	again, _ := invite(t, admin, p, "late@example.com", "viewer")
	fresh, _ := invite(t, admin, p, "late@example.com", "viewer")
	env.Do(http.MethodGet, "/invite/"+again, nil, nil).WantError(http.StatusGone, string(store.CodeInvitationInvalid))
	env.Do(http.MethodGet, "/invite/"+fresh, nil, nil).WantStatus(http.StatusOK)
	// Inviting an active operator adds grants and answers no link.
	other := env.Partner("Dos", "GTQ")
	admin2 := env.Operator("admin2@example.com", true, apptest.Grant{Partner: other, Roles: []string{"admin"}})
	d := admin2.Do(http.MethodPost, usersPath(other, ""), map[string]any{"email": admin.Email, "roles": []string{"viewer"}}).WantStatus(http.StatusCreated).Data()
	if _, ok := d["invitationUrl"]; ok || d["status"] != "ACTIVE" {
		t.Fatalf("existing operator %v", d)
	}
	// Nobody invites with a permission they lack.
	admin.Do(http.MethodPost, usersPath(p, ""), map[string]any{"email": "x@example.com", "permissions": []int{store.PermissionIDOf("cards-admin:otp")}}).
		WantError(http.StatusForbidden, "7005")
}

func TestAuthenticatorResetAndPassword(t *testing.T) {
	t.Parallel()
	env, p, admin, maker := teamEnv(t)
	path := usersPath(p, "/"+itoa(maker.ID)+"/otp")
	admin.Do(http.MethodDelete, path, nil).WantError(http.StatusForbidden, "7007")
	admin.Do(http.MethodDelete, path, map[string]string{"otp": admin.OTP()}).WantStatus(http.StatusOK)
	d := admin.Do(http.MethodGet, usersPath(p, "/"+itoa(maker.ID)), nil).Data()
	if d["otpEnrolled"] != false {
		t.Fatalf("after reset %v", d)
	}
	// Password change: the current one must be right and the new one follow the policy.
	admin.Do(http.MethodPut, "/cms/rest/app/users/me/password", map[string]string{"currentPassword": "wrong", "newPassword": "another long passphrase here"}).
		WantError(http.StatusBadRequest, "7000")
	admin.Do(http.MethodPut, "/cms/rest/app/users/me/password", map[string]string{"currentPassword": apptest.Password, "newPassword": "admin123"}).
		WantError(http.StatusBadRequest, "7000")
	admin.Do(http.MethodPut, "/cms/rest/app/users/me/password", map[string]string{"currentPassword": apptest.Password, "newPassword": "purple lanterns drift over quiet harbours"}).
		WantStatus(http.StatusOK)
	if _, err := env.Store.CheckPassword(t.Context(), admin.Email, "purple lanterns drift over quiet harbours"); err != nil {
		t.Fatal(err)
	}
	if n := auditCount(t, env, "operator.password.refused"); n != 1 {
		t.Fatalf("%d refused password changes audited", n)
	}
}
