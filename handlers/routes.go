package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/web"
	"cardconsole/web/openapi"
)

// Routes is the route table, top to bottom: public routes, the console, the CMS API scoped to a
// partner, the issuer API and the applications API.
func Routes(e *echo.Echo, app *web.App) {
	h := New(app)
	op := app.RequireOperator

	e.GET("/healthz", h.Health)
	e.GET("/openapi.json", openapi.Serve)
	// Evidence files, through short-lived signed links only (docs/process-requests.md).
	e.GET("/files/evidence/:key", h.EvidenceFile)

	// Console sign-in.
	e.GET("/login", h.LoginPage)
	e.POST("/login", h.Login)
	e.GET("/login/code", h.LoginCodePage)
	e.POST("/login/code", h.LoginCode)
	e.POST("/logout", h.Logout, op)
	e.POST("/session/keepalive", h.KeepAlive, op)
	e.GET("/", h.Dashboard, op)

	// API authentication chain.
	e.POST("/cms/rest/app/auth/login", h.AppLogin)
	e.POST("/cms/rest/app/users/login", h.UserLogin)
	e.POST("/cms/rest/app/users/login/otp", h.UserLoginOTP)
	e.POST("/cms/rest/app/users/refresh", h.RefreshToken)
	e.POST("/cms/rest/app/users/logout", h.UserLogout, op)
	e.POST("/cms/rest/app/users/auth/otp", h.RequestOTP, op)
	e.PUT("/cms/rest/app/users/auth/otp", h.VerifyOTP, op)
	e.GET("/cms/rest/app/audit", h.AuditLog, op)

	// Team administration and self-service (docs/team.md). The invitation link works without a
	// session: its token is the credential.
	e.GET("/cms/rest/app/permissions", h.Permissions, op)
	e.GET("/cms/rest/app/users/me", h.Me, op)
	e.PUT("/cms/rest/app/users/me/password", h.ChangePassword, op)
	e.POST("/cms/rest/app/users/me/otp", h.StartEnrolment, op)
	e.PUT("/cms/rest/app/users/me/otp", h.ConfirmEnrolment, op)
	e.POST("/cms/rest/app/users/me/recovery-codes", h.RegenerateRecoveryCodes, op)
	e.GET("/invite/:token", h.Invitation)
	e.POST("/invite/:token", h.AcceptInvitation)
	e.PUT("/invite/:token/otp", h.ConfirmInvitation)

	// CMS API and console screens of one partner: the operator must hold a grant on it.
	p := e.Group("/cms/rest/app/partners/:partnerId", op, app.PartnerScope, h.TagScope)
	p.GET("", h.Partner)
	p.GET("/balance", h.Balance)
	p.GET("/users", h.Team, app.Require("users:list"))
	p.POST("/users", h.Invite, app.Require("users:create"))
	p.GET("/users/:userId", h.TeamMember, app.Require("users:detail"))
	p.PATCH("/users/:userId", h.UpdateTeamMember, app.Require("users:update"))
	p.PUT("/users/:userId/permissions", h.ReplacePermissions, app.Require("users:update"))
	p.PATCH("/users/:userId/status", h.SetOperatorStatus, app.Require("users:change_status"))
	p.DELETE("/users/:userId/otp", h.ResetAuthenticator, app.Require("users:update"))

	// Money movement on a cardholder's cards (docs/funds.md): loads, unloads, transfers, movements,
	// and the console's card page with its forms.
	hc := "/cardholders/:cardholderId/cards"
	p.POST(hc+"/funds/add", h.AddFunds, app.Require("cards-admin:addFunds"))
	p.POST(hc+"/funds/withdraw", h.WithdrawFunds, app.Require("cards-admin:withdrawFunds"))
	p.POST(hc+"/transfers", h.TransferFunds, app.Require("cards-admin:transfer"))
	p.GET(hc+"/:cardId", h.CardPage, app.Require("cards-admin:detail"))
	p.GET(hc+"/:cardId/funds", h.FundsFormsPanel, app.Require("cards-admin:detail"))
	p.GET(hc+"/:cardId/funds/review", h.FundsReview, app.Require("cards-admin:detail"))
	p.GET(hc+"/:cardId/movements", h.Movements, app.Require("card-movements:list"))
	p.GET(hc+"/:cardId/movements/:transferId", h.Movement, app.Require("card-movements:detail"))

	// Issuer funds API: the application token plus x-application-id; references apply once.
	e.POST("/rest/cards/:cardId/funds", h.IssuerFunds, app.RequireApplication)
	e.PUT("/rest/cards/:cardId/funds", h.IssuerAssignFunds, app.RequireApplication)
	e.GET("/rest/cards/:cardId/transfers/:month/:year", h.Reconciliation, app.RequireApplication)

	// Balance top-ups (process requests): docs/process-requests.md.
	p.GET("/top-ups", h.TopUps, app.Require("balance-management:list"))
	p.POST("/process-request", h.CreateProcessRequest, app.Require("balance-management:create"))
	p.GET("/process-request", h.AllProcessRequests, app.Require("balance-management:list"))
	p.GET("/process-requests", h.ListProcessRequests, app.Require("balance-management:list"))
	p.GET("/process-request/progress", h.ProcessRequestProgress, app.Require("balance-management:list"))
	p.GET("/process-request/:processRequestId/evidence/download", h.ProcessRequestEvidence, app.Require("balance-management:list"))
	p.PATCH("/process-request/:processRequestId/approve", h.ApproveProcessRequest, app.Require("approvals:update"))
	p.PATCH("/process-request/:processRequestId/reject", h.RejectProcessRequest, app.Require("approvals:update"))
	p.PATCH("/process-request/:processRequestId/cancel", h.CancelProcessRequest, app.Require("balance-management:cancel"))

	// Cardholders and cards (docs/cardholders.md). Static segments (new, cards, association) win
	// over the ids beside them.
	p.GET("/cardholders", h.Cardholders, app.Require("cardholders:list"))
	p.GET("/cardholders/new", h.NewCardholderForm, app.Require("cardholders:create"))
	p.POST("/cardholders", h.CreateCardholder, app.Require("cardholders:create"))
	p.PATCH("/cardholders/cards/block", h.BulkCards(store.BlockCard), app.Require("cards-admin:block"))
	p.PATCH("/cardholders/cards/unblock", h.BulkCards(store.UnblockCard), app.Require("cards-admin:unblock"))
	p.GET("/cardholders/:cardholderId", h.CardholderPage, app.Require("cardholders:detail"))
	p.POST("/cardholders/:cardholderId", h.CardholderDetail, app.Require("cardholders:detail"))
	p.GET("/cardholders/:cardholderId/cards", h.CardholderCards, app.Require("cards-admin:detail"))
	p.POST("/cardholders/:cardholderId/cards", h.AssignCard, app.Require("cardholders:update"))
	p.GET("/cardholders/:cardholderId/cards/association", h.ThirdPartyCards, app.Require("cardholders:detail"))
	p.POST("/cardholders/:cardholderId/cards/association", h.AssociateThirdPartyCard, app.Require("cardholders:update"))
	p.GET("/cards", h.Cards, app.Require("cards-admin:detail"))
	p.POST("/cards", h.IssueCards, app.Require("cards-admin:issue"))
	for _, a := range []store.CardAction{store.ActivateCard, store.BlockCard, store.UnblockCard} {
		p.PATCH("/cardholders/:cardholderId/cards/:cardId/"+string(a), h.CardAction(a), app.Require("cards-admin:"+string(a)))
		p.PATCH("/cards/:cardId/"+string(a), h.CardAction(a), app.Require("cards-admin:"+string(a)))
	}

	// Statements of a card (docs/statements.md): the PDF report and the CSV export of its movements.
	stm := "/cardholders/:cardholderId/cards/:cardId/movements"
	p.GET(stm+"/report", h.StatementPDF, app.Require("card-movements:list"))
	p.GET(stm+"/export.csv", h.StatementCSV, app.Require("card-movements:list"))

	// Client requests (the applications API) and the resolutions a rejection cites: the operator
	// token alone in Authorization, or the console session. The partner comes from each request.
	ot := app.RequireOperatorToken
	e.GET("/api/v2/applications", h.ListClientRequests, ot)
	e.POST("/api/v2/applications", h.SubmitClientRequest, ot)
	e.GET("/api/v2/applications/new", h.NewClientRequestForm, ot)
	e.GET("/api/v2/applications/export", h.ExportClientRequests, ot)
	e.GET("/api/v2/applications/notifications", h.RequestNotifications, ot)
	e.GET("/api/v2/applications/stream", h.PendingRequestsStream, ot)
	e.GET("/api/v2/applications/:applicationId", h.ClientRequest, ot)
	e.PUT("/api/v2/applications/:applicationId", h.ColorClientRequest, ot)
	e.PATCH("/api/v2/applications/:applicationId", h.ColorClientRequest, ot)
	e.POST("/api/v2/applications/:applicationId/audit", h.AuditClientRequest, ot)
	e.POST("/api/v2/applications/:applicationId/approve", h.ApproveClientRequest, ot)
	e.POST("/api/v2/applications/:applicationId/reject", h.RejectClientRequest, ot)
	e.GET("/api/v2/resolutions", h.ListResolutions, ot)
	e.POST("/api/v2/resolutions", h.CreateResolution, ot)
	e.GET("/api/v2/resolutions/:resolutionId", h.Resolution, ot)
	e.PUT("/api/v2/resolutions/:resolutionId", h.UpdateResolution, ot)
	e.DELETE("/api/v2/resolutions/:resolutionId", h.DeleteResolution, ot)
	e.GET("/api/v2/resolution-types", h.ResolutionTypes, ot)
}

// Health answers 200 while the database is reachable.
func (h *Handlers) Health(c echo.Context) error {
	if err := h.store.DB().PingContext(c.Request().Context()); err != nil {
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "database unreachable"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}
