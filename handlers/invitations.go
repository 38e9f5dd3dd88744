package handlers

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/views"
	"cardconsole/web"
)

type inviteRequest struct {
	Email       string   `json:"email" form:"email"`
	Name        string   `json:"name" form:"name"`
	Roles       []string `json:"roles" form:"roles"`
	Permissions []int    `json:"permissions" form:"permissions"`
	OTP         string   `json:"otp" form:"otp"`
}

// invitationView is what the admin receives: the link to pass on, unless the operator had already
// joined (then it only received the grants).
type invitationView struct {
	store.Invitation
	InvitationURL string `json:"invitationUrl,omitempty"`
	Mailed        bool   `json:"mailed"`
}

// Invite adds an operator to the partner's team and answers its single-use invitation link, also
// mailed when SMTP_URL is set. A code is needed when the inviter holds users:otp.
func (h *Handlers) Invite(c echo.Context) error {
	var req inviteRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if err := h.app.CheckOTP(c, "users", req.OTP); err != nil {
		return err
	}
	in := store.Invite{Email: req.Email, Name: req.Name, Roles: req.Roles}
	var v store.Validation
	for _, id := range req.Permissions {
		name := store.PermissionName(id)
		if name == "" {
			v.Add("permissions", fmt.Sprintf("unknown permission id %d", id))
		}
		in.Permissions = append(in.Permissions, name)
	}
	if err := v.Err(); err != nil {
		return err
	}
	inv, err := h.store.InviteOperator(c.Request().Context(), web.Actor(c), web.PartnerID(c), in, h.app.InvitationTTL(), h.app.Now())
	if err != nil {
		return err
	}
	out := invitationView{Invitation: inv}
	if inv.Token != "" {
		out.InvitationURL = h.app.BaseURL() + "/invite/" + inv.Token
		if m := h.app.Mailer(); m != nil {
			l, err := h.app.RecipientLocale(c, inv.OperatorID)
			if err != nil {
				return err
			}
			subject, body := web.InvitationMail(l, out.InvitationURL, inv.ExpiresAt)
			if err := m.Send(inv.Email, subject, body, h.app.Now()); err != nil {
				h.app.Log.Warn("invitation not mailed; pass the link on by hand", "request_id", web.RequestID(c), "err", err)
			} else {
				out.Mailed = true
			}
		}
	}
	msg := "operator invited; pass the invitation link on"
	if inv.Token == "" {
		msg = "grants added to an existing operator"
	}
	return h.app.Respond(c, web.View{Status: http.StatusCreated, Message: msg, Data: out,
		Partial: views.InviteResult(views.InvitedView{Email: inv.Email, URL: out.InvitationURL, Mailed: out.Mailed})})
}

// Invitation shows a live invitation: who is invited and until when.
func (h *Handlers) Invitation(c echo.Context) error {
	inv, err := h.store.InvitationByToken(c.Request().Context(), c.Param("token"), h.app.Now())
	if err != nil {
		return err
	}
	if err := h.app.AnswerAs(c, inv.OperatorID); err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Title: web.T(c, "invite.page_title"), Data: inv,
		Page: views.InvitationPage(views.InvitationView{Token: c.Param("token"), Invitation: inv})})
}

type acceptRequest struct {
	Name     string `json:"name" form:"name"`
	Password string `json:"password" form:"password"`
}

// AcceptInvitation is the first step of joining: name and password; it answers the authenticator
// secret to enrol, with its QR code.
func (h *Handlers) AcceptInvitation(c echo.Context) error {
	var req acceptRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if err := h.answerAsInvitee(c); err != nil {
		return err
	}
	e, err := h.store.SetInvitationPassword(c.Request().Context(), web.Actor(c), c.Param("token"), req.Name, req.Password, h.app.Now())
	if err != nil {
		return err
	}
	v, err := withQR(e)
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Message: "password set; confirm the authenticator with a code", Data: v,
		Partial: views.EnrolStep(views.EnrolView{Action: "/invite/" + c.Param("token") + "/otp", Secret: v.Secret, QRSVG: v.QRSVG})})
}

// ConfirmInvitation is the last step: a code of the new authenticator activates the operator,
// spends the link, answers the recovery codes once and, in a browser, signs the operator in.
func (h *Handlers) ConfirmInvitation(c echo.Context) error {
	var req codeRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if err := h.answerAsInvitee(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	acc, err := h.store.CompleteInvitation(ctx, web.Actor(c), c.Param("token"), req.Code, h.app.Now())
	if err != nil {
		return err
	}
	if !web.WantsJSON(c) {
		// Special: only a browser is signed in (a session cookie); an API client keeps its tokens.
		op, err := h.store.OperatorByID(ctx, acc.OperatorID)
		if err != nil {
			return err
		}
		if err := h.app.StartSession(c, op); err != nil {
			return err
		}
	}
	return h.app.Respond(c, web.View{Message: "welcome; keep the recovery codes somewhere safe", Data: acc,
		Partial: views.RecoveryCodesStep(acc.RecoveryCodes, "/")})
}

// answerAsInvitee answers the steps of joining in the invited operator's language; an invitation
// that is no longer live is left to the step itself to refuse.
func (h *Handlers) answerAsInvitee(c echo.Context) error {
	if inv, err := h.store.InvitationByToken(c.Request().Context(), c.Param("token"), h.app.Now()); err == nil {
		return h.app.AnswerAs(c, inv.OperatorID)
	}
	return nil
}
