package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/web"
	"cardconsole/web/export"
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
	// The console language the operator picks in the header (docs/console.md).
	e.POST("/language", h.SetLanguage, op)

	// API authentication chain.
	e.POST("/cms/rest/app/auth/login", h.AppLogin)
	e.POST("/cms/rest/app/users/login", h.UserLogin)
	e.POST("/cms/rest/app/users/login/otp", h.UserLoginOTP)
	e.POST("/cms/rest/app/users/refresh", h.RefreshToken)
	e.POST("/cms/rest/app/users/logout", h.UserLogout, op)
	e.POST("/cms/rest/app/users/auth/otp", h.RequestOTP, op)
	e.PUT("/cms/rest/app/users/auth/otp", h.VerifyOTP, op)
	e.GET("/cms/rest/app/audit", h.AuditLog, op)
	e.GET("/cms/rest/app/audit/export.csv", h.ExportAuditLog(export.CSV), op)
	e.GET("/cms/rest/app/audit/export.xlsx", h.ExportAuditLog(export.XLSX), op)
	// Search across every partner the operator may see (docs/cardholders.md).
	e.GET("/cms/rest/app/search", h.Search, op)

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
	p.GET(hc+"/:cardId/movements.csv", h.ExportMovements(export.CSV), app.Require("card-movements:list"))
	p.GET(hc+"/:cardId/movements.xlsx", h.ExportMovements(export.XLSX), app.Require("card-movements:list"))

	// The rest of a cardholder's life (docs/cardholders.md): cancel and replace a card, its history,
	// reversals of loads, unloads and transfers decided by a second operator, and the timelines.
	p.PATCH(hc+"/:cardId/cancel", h.CancelCard, app.Require("cards-admin:block"))
	p.POST(hc+"/:cardId/replace", h.ReplaceCard, app.Require("cards-admin:activate"))
	p.GET(hc+"/:cardId/history", h.CardHistory, app.Require("cards-admin:detail"))
	p.GET(hc+"/:cardId/activity", h.CardActivity, app.Require("cards-admin:detail"))
	p.POST(hc+"/:cardId/movements/:transferId/revert", h.RequestReversal, app.Require("card-movements:revert"))
	p.GET("/reversals", h.Reversals, app.Require("approvals:list"))
	p.GET("/reversals/stream", h.ReversalStream, app.Require("approvals:list"))
	p.PATCH("/reversals/:reversalId/approve", h.ApproveReversal, app.Require("approvals:update"))
	p.PATCH("/reversals/:reversalId/reject", h.RejectReversal, app.Require("approvals:update"))
	p.PATCH("/cardholders/:cardholderId", h.UpdateCardholder, app.Require("cardholders:update"))
	p.PATCH("/cardholders/:cardholderId/close", h.CloseCardholder, app.Require("cardholders:update"))
	p.GET("/cardholders/:cardholderId/activity", h.CardholderActivity, app.Require("cardholders:detail"))

	// Issuer funds API: the application token plus x-application-id; references apply once.
	e.POST("/rest/cards/:cardId/funds", h.IssuerFunds, app.RequireApplication)
	e.PUT("/rest/cards/:cardId/funds", h.IssuerAssignFunds, app.RequireApplication)
	e.GET("/rest/cards/:cardId/transfers/:month/:year", h.Reconciliation, app.RequireApplication)

	// Balance top-ups (process requests): docs/process-requests.md.
	p.GET("/top-ups", h.TopUps, app.Require("balance-management:list"))
	p.POST("/process-request", h.CreateProcessRequest, app.Require("balance-management:create"))
	p.GET("/process-request", h.AllProcessRequests, app.Require("balance-management:list"))
	p.GET("/process-requests", h.ListProcessRequests, app.Require("balance-management:list"))
	p.GET("/process-requests/export.csv", h.ExportTopUps(export.CSV), app.Require("balance-management:list"))
	p.GET("/process-requests/export.xlsx", h.ExportTopUps(export.XLSX), app.Require("balance-management:list"))
	p.GET("/process-request/progress", h.ProcessRequestProgress, app.Require("balance-management:list"))
	p.GET("/process-request/:processRequestId/evidence/download", h.ProcessRequestEvidence, app.Require("balance-management:list"))
	p.PATCH("/process-request/:processRequestId/approve", h.ApproveProcessRequest, app.Require("approvals:update"))
	p.PATCH("/process-request/:processRequestId/reject", h.RejectProcessRequest, app.Require("approvals:update"))
	p.PATCH("/process-request/:processRequestId/cancel", h.CancelProcessRequest, app.Require("balance-management:cancel"))

	// Cardholders and cards (docs/cardholders.md). Static segments (new, export.*, cards,
	// association) win over the ids beside them. Every list downloads at export.csv and export.xlsx
	// with its filters and sort (docs/exports.md).
	p.GET("/cardholders", h.Cardholders, app.Require("cardholders:list"))
	p.GET("/cardholders/export.csv", h.ExportCardholders(export.CSV), app.Require("cardholders:list"))
	p.GET("/cardholders/export.xlsx", h.ExportCardholders(export.XLSX), app.Require("cardholders:list"))
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
	p.GET("/cards/export.csv", h.ExportCards(export.CSV), app.Require("cards-admin:detail"))
	p.GET("/cards/export.xlsx", h.ExportCards(export.XLSX), app.Require("cards-admin:detail"))
	p.POST("/cards", h.IssueCards, app.Require("cards-admin:issue"))
	for _, a := range []store.CardAction{store.ActivateCard, store.BlockCard, store.UnblockCard} {
		p.PATCH("/cardholders/:cardholderId/cards/:cardId/"+string(a), h.CardAction(a), app.Require("cards-admin:"+string(a)))
		p.PATCH("/cards/:cardId/"+string(a), h.CardAction(a), app.Require("cards-admin:"+string(a)))
	}

	// Statements of a card (docs/statements.md): the PDF report and the CSV export of its movements.
	stm := "/cardholders/:cardholderId/cards/:cardId/movements"
	p.GET(stm+"/report", h.StatementPDF, app.Require("card-movements:list"))
	p.GET(stm+"/export.csv", h.StatementCSV, app.Require("card-movements:list"))

	// Bulk files (docs/bulk.md): uploads answer at once with a batch that a background job applies;
	// payout files wait for a second operator. Every uploader and checker sees the batches.
	bulkRead := app.RequireAny(bulkReadPermissions...)
	p.POST("/cardholders/upload", h.UploadBulk(store.BulkCardholders, "users"), app.Require("bulk-create:create"))
	p.POST("/cards/upload", h.UploadBulk(store.BulkCards, "cards"), app.Require("bulk-create:create"))
	p.POST("/disbursements/upload", h.UploadBulk(store.BulkPayout, "file"), app.Require("cards-admin:addFunds"))
	p.PATCH("/disbursements/:batchId/approve", h.DecidePayout("approve"), app.Require("approvals:update"))
	p.PATCH("/disbursements/:batchId/reject", h.DecidePayout("reject"), app.Require("approvals:update"))
	p.PATCH("/disbursements/:batchId/cancel", h.DecidePayout("cancel"), app.Require("cards-admin:addFunds"))
	p.GET("/bulk", h.BulkPage, bulkRead)
	p.POST("/bulk", h.UploadBulkForm, bulkRead)
	p.GET("/cardholders/batch/:batchId/progress", h.BatchProgress, bulkRead)
	p.GET("/batches", h.Batches, bulkRead)
	p.GET("/batches/export.csv", h.ExportBatches(export.CSV), bulkRead)
	p.GET("/batches/export.xlsx", h.ExportBatches(export.XLSX), bulkRead)
	p.GET("/batches/templates/:file", h.BulkTemplate, bulkRead)
	p.GET("/batches/:batchId", h.Batch, bulkRead)
	p.GET("/batches/:batchId/errors.csv", h.BatchErrors("csv"), bulkRead)
	p.GET("/batches/:batchId/errors.xlsx", h.BatchErrors("xlsx"), bulkRead)

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
	// The vendor's pages show a single request's GET and PUT without the /api prefix: both forms are
	// served, so clients written against either keep working.
	e.GET("/v2/applications/:applicationId", h.ClientRequest, ot)
	e.PUT("/v2/applications/:applicationId", h.ColorClientRequest, ot)
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
