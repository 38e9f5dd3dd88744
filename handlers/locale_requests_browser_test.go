package handlers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"cardconsole/internal/apptest"
	"cardconsole/store/storetest"
)

// walkRequestsTeamAndBulkInSpanish walks, as the partner's admin, the client requests screens (the
// queue with rows and with a refused filter, a decided request with comments, history and an
// audit, an undecided one with its decision forms, the notifications, the submission form with a
// field error), the resolutions screen and its edit form, the audit log, the team screens (list,
// operator page, invite result, invitation page, my account) and the bulk files page with a payout
// waiting for approval, and finds no English UI word on any of them.
func walkRequestsTeamAndBulkInSpanish(t *testing.T, ctx context.Context, env *apptest.Env, p int64, admin, maker *apptest.Operator) {
	t.Helper()
	client := storetest.Cardholder(t, env.Store, p)
	card := storetest.ActiveCard(t, env.Store, p, client)
	fund(t, env.Store, p, card, "500")
	submit := func(typ string, payload any) int64 {
		t.Helper()
		res := api(env, maker, http.MethodPost, "/api/v2/applications",
			map[string]any{"clientId": client, "type": typ, "payload": payload}).WantStatus(http.StatusCreated)
		return int64(res.JSON()["id"].(float64))
	}
	deposit := submit("deposit", map[string]any{"cardId": card.ID, "amount": 120.5})
	withdrawal := submit("withdrawal", map[string]any{"cardId": card.ID, "amount": 900})
	profile := submit("profile", map[string]any{"maritalStatus": "casado", "countryOfBirth": "GT"})
	res := api(env, admin, http.MethodPost, "/api/v2/resolutions",
		map[string]any{"partnerId": p, "type": 1, "name": "Documento ilegible", "text": "No pudimos leer el documento."}).WantStatus(http.StatusCreated)
	resolution := int64(res.JSON()["id"].(float64))
	api(env, admin, http.MethodPost, path("/api/v2/applications/%d/audit", withdrawal), nil).WantStatus(http.StatusOK)
	api(env, admin, http.MethodPost, path("/api/v2/applications/%d/approve", deposit), map[string]any{"data": []string{"Verificado con el cliente"}}).
		WantStatus(http.StatusNoContent)
	api(env, admin, http.MethodPost, path("/api/v2/applications/%d/reject", withdrawal), map[string]any{"resolutionId": resolution}).
		WantStatus(http.StatusNoContent)

	// A payout file waiting for the admin's approval.
	payer := env.Operator("payer@example.com", true, apptest.Grant{Partner: p, Permissions: []string{"bulk-create:create",
		"cards-admin:addFunds", "approvals:list"}})
	w := &bulkWorld{t: t, env: env, partner: p, maker: payer}
	w.uploadOK(payer, "/disbursements/upload", "file", "pago-quincena.csv",
		csvBytes(t, ',', payoutHeader, []string{itoa(card.ID), "", "", "10", "PAGO-1", "Quincena"}))
	w.work()

	id := apptest.TestID
	screens := []struct {
		name  string
		steps []chromedp.Action[chromedp.Void]
	}{
		{"the client requests queue", []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(env.Server.URL + "/api/v2/applications?filter%5BstatusId%5D=all"),
			waitCount("request-row", 3), waitText("request-status", "Aprobada"), waitText("zone-note", "hora de Guatemala")}},
		{"the queue with a refused filter", []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(env.Server.URL + "/api/v2/applications?filter%5BclientId%5D=abc"),
			waitText("error-filter[clientId]", "número de cliente")}},
		{"a decided request with comments and history", []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(env.Server.URL + path("/api/v2/applications/%d", deposit)),
			waitText("request-decision", "Aprobada"), waitText("request-comment", "Verificado"),
			waitText("request-payload", "Monto"), waitCount("history-entry", 2)}},
		{"a rejected request with its audit in the history", []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(env.Server.URL + path("/api/v2/applications/%d", withdrawal)),
			waitText("request-decision", "Documento ilegible"), waitText("request-history", "por retirar")}},
		{"an undecided request with the decision forms and an audit", []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(env.Server.URL + path("/api/v2/applications/%d", profile)),
			chromedp.WaitVisible(id("reject-form")), waitText("request-payload", "Estado civil"),
			waitText("request-payload", "casado"), waitText("request-payload", "Guatemala"),
			chromedp.Click(id("request-audit")), waitText("audit-result", "Todo en orden")}},
		{"the notifications", []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(env.Server.URL + "/api/v2/applications/notifications"),
			waitText("notifications", "Solicitud de cambio de perfil")}},
		{"the submission form with a field error", []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(env.Server.URL + "/api/v2/applications/new"),
			chromedp.WaitVisible(id("form-amount")),
			chromedp.SendKeys(id("form-clientId"), itoa(client)), chromedp.SendKeys(id("form-cardId"), itoa(card.ID)),
			chromedp.SendKeys(id("form-amount"), "abc"), chromedp.Click(id("form-submit")),
			waitText("error-payload.amount", "monto")}},
		{"the resolutions", []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(env.Server.URL + "/api/v2/resolutions"),
			waitText("resolution-row", "Documento ilegible"), waitText("resolution-row", "Documentos")}},
		{"a resolution's edit form", []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(env.Server.URL + path("/api/v2/resolutions/%d", resolution)),
			waitText("resolution-form", "Editar la resolución")}},
		{"the audit log", []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(env.Server.URL + "/cms/rest/app/audit"),
			chromedp.WaitVisible(id("audit-rows")), waitText("audit-partner", "Quetzal Pay"),
			waitText("zone-note", "UTC")}},
		{"the team", []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(env.Server.URL + usersPath(p, "")),
			waitText("team-rows", "maker@example.com"), waitText("team-status", "activo")}},
		{"an operator's page", []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(env.Server.URL + usersPath(p, "/"+itoa(maker.ID))),
			chromedp.WaitVisible(id("grants-form")), waitText("member-status", "activo")}},
		{"the invite result", []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(env.Server.URL + usersPath(p, "")),
			chromedp.WaitVisible(id("invite-form")),
			chromedp.SendKeys(id("invite-email"), "nueva@example.com"), chromedp.Click(id("invite-role-viewer")),
			chromedp.Click(id("invite-submit")), waitText("invite-result", "nueva@example.com")}},
		{"my account", []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(env.Server.URL + "/cms/rest/app/users/me"),
			chromedp.WaitVisible(id("password-form")), waitText("account-otp", "Configurado")}},
		{"the bulk files with a payout waiting for approval", []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(env.Server.URL + partnerPath(p, "/bulk")),
			chromedp.WaitVisible(id("payout-review")), waitText("payout-total", "Q 10.00"),
			waitText("bulk-row-status", "esperando aprobación")}},
	}
	for _, s := range screens {
		runSteps(t, ctx, s.name, s.steps...)
		wantNoEnglish(t, ctx, s.name)
	}

	// The invitation page the invited operator opens.
	d := admin.Do(http.MethodPost, usersPath(p, ""), map[string]any{"email": "otra@example.com", "roles": []string{"viewer"}}).
		WantStatus(http.StatusCreated).Data()
	link := d["invitationUrl"].(string)
	runSteps(t, ctx, "the invitation page",
		chromedp.Navigate(env.Server.URL+link[strings.Index(link, "/invite/"):]),
		chromedp.WaitVisible(id("invite-password-form")),
	)
	wantNoEnglish(t, ctx, "the invitation page")
	runSteps(t, ctx, "back to the top-ups",
		chromedp.Navigate(env.Server.URL+partnerPath(p, "/top-ups")),
		chromedp.WaitVisible(id("pr-approve")),
	)
}
