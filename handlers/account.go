package handlers

import (
	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/views"
	"cardconsole/web"
)

// Me shows the signed-in operator's own account and grants.
func (h *Handlers) Me(c echo.Context) error {
	p, _ := web.PrincipalOf(c)
	a, err := h.store.AccountOf(c.Request().Context(), p.OperatorID)
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Title: web.T(c, "account.title"), Data: a, Page: views.AccountPage(a)})
}

type passwordRequest struct {
	CurrentPassword string `json:"currentPassword" form:"currentPassword"`
	NewPassword     string `json:"newPassword" form:"newPassword"`
}

// ChangePassword replaces the signed-in operator's password, given the current one.
func (h *Handlers) ChangePassword(c echo.Context) error {
	var req passwordRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	p, _ := web.PrincipalOf(c)
	if err := h.store.ChangePassword(c.Request().Context(), web.Actor(c), p.OperatorID, req.CurrentPassword, req.NewPassword); err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Message: "password changed", Partial: views.Done(web.T(c, "account.password_changed"))})
}

// enrolmentView is a secret offered for enrolment with its QR code.
type enrolmentView struct {
	store.Enrolment
	QRSVG string `json:"qrSvg"`
}

func withQR(e store.Enrolment) (enrolmentView, error) {
	svg, err := views.QRCodeSVG(e.OTPAuthURI)
	return enrolmentView{Enrolment: e, QRSVG: svg}, err
}

// StartEnrolment offers the signed-in operator a new authenticator secret, pending until confirmed.
// Replacing an enrolled authenticator needs a code of the current one (or a recovery code).
func (h *Handlers) StartEnrolment(c echo.Context) error {
	var req elevationRequest
	if c.Request().ContentLength != 0 {
		if err := bind(c, &req); err != nil {
			return err
		}
	}
	p, _ := web.PrincipalOf(c)
	ctx := c.Request().Context()
	a, err := h.store.AccountOf(ctx, p.OperatorID)
	if err != nil {
		return err
	}
	if a.OTPEnrolled {
		if err := h.app.RequireOTP(c, req.OTP); err != nil {
			return err
		}
	}
	e, err := h.store.StartEnrolment(ctx, web.Actor(c), p.OperatorID)
	if err != nil {
		return err
	}
	v, err := withQR(e)
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Message: "scan the code, then confirm it with PUT /cms/rest/app/users/me/otp", Data: v,
		Partial: views.EnrolStep(views.EnrolView{Action: "/cms/rest/app/users/me/otp", Secret: v.Secret, QRSVG: v.QRSVG})})
}

type codeRequest struct {
	Code string `json:"code" form:"code"`
}

type recoveryCodesView struct {
	RecoveryCodes []string `json:"recoveryCodes"`
}

// ConfirmEnrolment makes the pending secret the operator's authenticator and answers its recovery codes once.
func (h *Handlers) ConfirmEnrolment(c echo.Context) error {
	var req codeRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	p, _ := web.PrincipalOf(c)
	codes, err := h.store.ConfirmEnrolment(c.Request().Context(), web.Actor(c), p.OperatorID, req.Code, h.app.Now())
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Message: "authenticator enrolled; keep the recovery codes somewhere safe",
		Data: recoveryCodesView{RecoveryCodes: codes}, Partial: views.RecoveryCodesStep(codes, "/cms/rest/app/users/me")})
}

// RegenerateRecoveryCodes replaces the operator's recovery codes, given a one-time code.
func (h *Handlers) RegenerateRecoveryCodes(c echo.Context) error {
	var req elevationRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if err := h.app.RequireOTP(c, req.OTP); err != nil {
		return err
	}
	p, _ := web.PrincipalOf(c)
	codes, err := h.store.RegenerateRecoveryCodes(c.Request().Context(), web.Actor(c), p.OperatorID)
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Message: "new recovery codes; the old ones no longer work", Data: recoveryCodesView{RecoveryCodes: codes},
		Partial: views.RecoveryCodesStep(codes, "/cms/rest/app/users/me")})
}
