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
	actor := store.Actor{Type: store.ActorAnonymous, Label: req.Merchant, RequestID: web.RequestID(c), IP: c.RealIP()}
	merchantKey, ipKey := "merchant:"+req.Merchant, "ip:"+c.RealIP()
	if err := h.claimAttempt(c, actor, store.ThrottleKey{Key: merchantKey, Policy: store.DefaultLoginPolicy},
		store.ThrottleKey{Key: ipKey, Policy: store.AddressLoginPolicy}); err != nil {
		return err
	}
	app, err := h.store.CheckApplication(ctx, req.Merchant, req.Secret)
	if store.IsCode(err, store.CodeUnauthorized) {
		if aerr := h.store.Audit(ctx, actor, store.Event{Action: "auth.app_login_failed", ObjectType: "application"}); aerr != nil {
			return aerr
		}
	}
	if err != nil {
		return err
	}
	if err := h.store.AttemptSucceeded(ctx, []string{merchantKey}, []string{ipKey}); err != nil {
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

// applicationOf reads the application token of a sign-in call from its Authorization header.
func (h *Handlers) applicationOf(c echo.Context) (store.Principal, error) {
	tok, ok := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return store.Principal{}, store.NewError(store.CodeUnauthorized, "Authorization must be 'Bearer <application token>'")
	}
	return h.store.LookupToken(c.Request().Context(), tok, store.TokenApp)
}

type userLoginRequest struct {
	Email    string `json:"email" form:"email"`
	Password string `json:"password" form:"password"`
}

// UserLogin exchanges an operator's email and password, under an application token, for an access
// and a refresh token.
func (h *Handlers) UserLogin(c echo.Context) error {
	ctx := c.Request().Context()
	app, err := h.applicationOf(c)
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
	required, err := h.store.SecondFactorRequired(ctx, op.ID)
	if err != nil {
		return err
	}
	if required {
		ch, err := h.store.StartSignIn(ctx, actor, op, app.AppID, h.app.Now())
		if err != nil {
			return err
		}
		return &store.Error{Code: store.CodeSecondFactorNeeded, Data: ch,
			Message: "the password is right; send a one-time code with the challenge to POST /cms/rest/app/users/login/otp"}
	}
	pair, err := h.store.IssueOperatorTokens(ctx, actor, app.AppID, op.ID, h.app.TokenTTL(), h.app.Now())
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Message: "logged in", Data: pair})
}

type userLoginOTPRequest struct {
	Challenge string `json:"challenge" form:"challenge"`
	OTP       string `json:"otp" form:"otp"`
}

// UserLoginOTP completes an operator sign-in that needs a second factor: the challenge of the
// password step and a code of the operator's authenticator (or of the secret being enrolled).
func (h *Handlers) UserLoginOTP(c echo.Context) error {
	ctx := c.Request().Context()
	app, err := h.applicationOf(c)
	if err != nil {
		return err
	}
	var req userLoginOTPRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	var v store.Validation
	if req.Challenge == "" {
		v.Add("challenge", "challenge is required")
	}
	if err := v.Err(); err != nil {
		return err
	}
	actor := store.Actor{Type: store.ActorOperator, AppID: app.AppID, RequestID: web.RequestID(c), IP: c.RealIP()}
	op, err := h.store.CompleteSignIn(ctx, actor, req.Challenge, app.AppID, req.OTP, h.app.Now())
	if err != nil {
		return err
	}
	actor.OperatorID, actor.Label = op.ID, op.Email
	pair, err := h.store.IssueOperatorTokens(ctx, actor, app.AppID, op.ID, h.app.TokenTTL(), h.app.Now())
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
	pair, err := h.store.Refresh(c.Request().Context(), req.RefreshToken, h.app.TokenTTL(), h.app.Now())
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

// checkPassword verifies a login. The attempt is charged to the email and to the client address
// before the password is compared, so parallel guesses cannot outrun the lockout.
func (h *Handlers) checkPassword(c echo.Context, email, password string) (store.Operator, error) {
	ctx := c.Request().Context()
	email = strings.ToLower(strings.TrimSpace(email))
	emailKey, ipKey := "email:"+email, "ip:"+c.RealIP()
	actor := store.Actor{Type: store.ActorAnonymous, Label: email, RequestID: web.RequestID(c), IP: c.RealIP()}
	if err := h.claimAttempt(c, actor, store.ThrottleKey{Key: emailKey, Policy: store.DefaultLoginPolicy},
		store.ThrottleKey{Key: ipKey, Policy: store.AddressLoginPolicy}); err != nil {
		return store.Operator{}, err
	}
	op, err := h.store.CheckPassword(ctx, email, password)
	if store.IsCode(err, store.CodeUnauthorized) {
		if aerr := h.store.Audit(ctx, actor, store.Event{Action: "auth.login_failed", ObjectType: "operator"}); aerr != nil {
			return store.Operator{}, aerr
		}
	}
	if err != nil {
		return store.Operator{}, err
	}
	if err := h.store.AttemptSucceeded(ctx, []string{emailKey}, []string{ipKey}); err != nil {
		return store.Operator{}, err
	}
	return op, nil
}

// claimAttempt charges a sign-in attempt to the keys and refuses it, audited, while one is locked.
func (h *Handlers) claimAttempt(c echo.Context, actor store.Actor, keys ...store.ThrottleKey) error {
	ctx := c.Request().Context()
	ok, err := h.store.ClaimAttempt(ctx, h.app.Now(), keys...)
	if err != nil || ok {
		return err
	}
	if err := h.store.Audit(ctx, actor, store.Event{Action: "auth.login_locked", ObjectType: "route",
		ObjectID: c.Request().Method + " " + c.Request().URL.Path}); err != nil {
		return err
	}
	return store.NewError(store.CodeTooManyAttempts, "too many failed sign-ins; try again in a few minutes")
}
