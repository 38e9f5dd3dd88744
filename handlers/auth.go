package handlers

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/web"
)

type appLoginRequest struct {
	Merchant string `json:"merchant" form:"merchant"`
	Secret   string `json:"secret" form:"secret"`
}

type appTokenResponse struct {
	AccessToken string `json:"accessToken"`
	ExpiresIn   int    `json:"expiresIn"`
	TokenType   string `json:"tokenType"`
}

// AppLogin exchanges an application's merchant and secret for an application access token.
func (h *Handlers) AppLogin(c echo.Context) error {
	var req appLoginRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	var v store.Validation
	if req.Merchant == "" {
		v.Add("merchant", "merchant is required")
	}
	if req.Secret == "" {
		v.Add("secret", "secret is required")
	}
	if err := v.Err(); err != nil {
		return err
	}
	ctx := c.Request().Context()
	app, err := h.store.CheckApplication(ctx, req.Merchant, req.Secret)
	if err != nil {
		return err
	}
	ttl := h.app.TokenTTL().App
	tok, err := h.store.IssueAppToken(ctx, app.ID, ttl)
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Message: "application authenticated",
		Data: appTokenResponse{AccessToken: tok, ExpiresIn: int(ttl.Seconds()), TokenType: "Bearer"}})
}

type userLoginRequest struct {
	Email    string `json:"email" form:"email"`
	Password string `json:"password" form:"password"`
}

// UserLogin exchanges an operator's email and password, under an application token, for an access
// and a refresh token.
func (h *Handlers) UserLogin(c echo.Context) error {
	tok, ok := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return store.NewError(store.CodeUnauthorized, "Authorization must be 'Bearer <application token>'")
	}
	ctx := c.Request().Context()
	app, err := h.store.LookupToken(ctx, tok, store.TokenApp)
	if err != nil {
		return err
	}
	var req userLoginRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	op, err := h.checkPassword(c, req.Email, req.Password)
	if err != nil {
		return err
	}
	actor := store.Actor{Type: store.ActorOperator, OperatorID: op.ID, Label: op.Email, AppID: app.AppID,
		RequestID: web.RequestID(c), IP: c.RealIP()}
	pair, err := h.store.IssueOperatorTokens(ctx, actor, app.AppID, op.ID, h.app.TokenTTL())
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Message: "logged in", Data: pair})
}

type refreshRequest struct {
	RefreshToken string `json:"refreshToken" form:"refreshToken"`
}

// RefreshToken spends a refresh token for a new access and refresh pair.
func (h *Handlers) RefreshToken(c echo.Context) error {
	var req refreshRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if req.RefreshToken == "" {
		var v store.Validation
		v.Add("refreshToken", "refreshToken is required")
		return v.Err()
	}
	pair, err := h.store.Refresh(c.Request().Context(), req.RefreshToken, h.app.TokenTTL())
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Message: "token refreshed", Data: pair})
}

// UserLogout revokes the calling operator's access and refresh tokens.
func (h *Handlers) UserLogout(c echo.Context) error {
	p, _ := web.PrincipalOf(c)
	if p.SessionID == "" {
		return store.NewError(store.CodeCheckParameters, "log out of the console with POST /logout")
	}
	if err := h.store.RevokeSession(c.Request().Context(), web.Actor(c), p.SessionID); err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Status: http.StatusNoContent})
}

type otpRequest struct {
	Email   string `json:"email"`
	Purpose string `json:"purpose"`
	OTP     string `json:"otp"`
}

// RequestOTP answers the spec's "request a code" call. Codes come from the operator's authenticator
// app (TOTP), so nothing is sent; the answer says where to find the code.
func (h *Handlers) RequestOTP(c echo.Context) error {
	var req otpRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Message: "use the current code of your authenticator app",
		Data: map[string]string{"delivery": "authenticator", "purpose": req.Purpose}})
}

// VerifyOTP checks a code of the calling operator and spends it.
func (h *Handlers) VerifyOTP(c echo.Context) error {
	var req otpRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	p, _ := web.PrincipalOf(c)
	if req.Email != "" && !strings.EqualFold(req.Email, p.Email) {
		return store.NewError(store.CodeForbidden, "a code can only be verified for yourself")
	}
	if err := h.app.RequireOTP(c, req.OTP); err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Message: "code accepted", Data: map[string]bool{"verified": true}})
}

// checkPassword verifies a login, throttling repeated failures per email and per client address.
func (h *Handlers) checkPassword(c echo.Context, email, password string) (store.Operator, error) {
	ctx := c.Request().Context()
	now := h.app.Now()
	emailKey, ipKey := "email:"+strings.ToLower(strings.TrimSpace(email)), "ip:"+c.RealIP()
	locked, err := h.store.LoginLocked(ctx, now, emailKey, ipKey)
	if err != nil {
		return store.Operator{}, err
	}
	if locked {
		return store.Operator{}, store.NewError(store.CodeTooManyAttempts, "too many failed logins; try again in a few minutes")
	}
	op, err := h.store.CheckPassword(ctx, email, password)
	if err != nil {
		if !store.IsCode(err, store.CodeUnauthorized) {
			return store.Operator{}, err
		}
		if ferr := h.store.LoginFailed(ctx, store.DefaultLoginPolicy, now, emailKey); ferr != nil {
			return store.Operator{}, ferr
		}
		ipPolicy := store.DefaultLoginPolicy
		ipPolicy.MaxFailures *= 4
		if ferr := h.store.LoginFailed(ctx, ipPolicy, now, ipKey); ferr != nil {
			return store.Operator{}, ferr
		}
		actor := store.Actor{Type: store.ActorAnonymous, Label: strings.ToLower(strings.TrimSpace(email)), RequestID: web.RequestID(c), IP: c.RealIP()}
		if aerr := h.store.Audit(ctx, actor, store.Event{Action: "auth.login_failed", ObjectType: "operator"}); aerr != nil {
			return store.Operator{}, aerr
		}
		return store.Operator{}, err
	}
	if err := h.store.LoginSucceeded(ctx, emailKey); err != nil {
		return store.Operator{}, err
	}
	return op, nil
}
