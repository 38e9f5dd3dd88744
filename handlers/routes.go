package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

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
	e.POST("/logout", h.Logout, op)
	e.GET("/", h.Dashboard, op)

	// API authentication chain.
	e.POST("/cms/rest/app/auth/login", h.AppLogin)
	e.POST("/cms/rest/app/users/login", h.UserLogin)
	e.POST("/cms/rest/app/users/refresh", h.RefreshToken)
	e.POST("/cms/rest/app/users/logout", h.UserLogout, op)
	e.POST("/cms/rest/app/users/auth/otp", h.RequestOTP, op)
	e.PUT("/cms/rest/app/users/auth/otp", h.VerifyOTP, op)
	e.GET("/cms/rest/app/audit", h.AuditLog, op)

	// CMS API and console screens of one partner: the operator must hold a grant on it.
	p := e.Group("/cms/rest/app/partners/:partnerId", op, app.PartnerScope)
	p.GET("", h.Partner)
	p.GET("/balance", h.Balance)

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
