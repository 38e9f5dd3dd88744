package handlers

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/web"
)

// presentFields reads, from a flat JSON object or a form, the named fields that are present, as
// text, and the one-time code. A field of another JSON type is recorded in v; a cardId is refused,
// since cards are added from the cards panel, never by editing.
func presentFields(c echo.Context, v *store.Validation, names []string) (map[string]string, string, error) {
	out := map[string]string{}
	raw := map[string]json.RawMessage{}
	if strings.HasPrefix(c.Request().Header.Get(echo.HeaderContentType), echo.MIMEApplicationJSON) {
		if err := json.NewDecoder(c.Request().Body).Decode(&raw); err != nil {
			return nil, "", store.NewError(store.CodeCheckParameters, "the request body must be a JSON object")
		}
	} else {
		form, err := c.FormParams()
		if err != nil {
			return nil, "", store.NewError(store.CodeCheckParameters, "the request body could not be read")
		}
		for k := range form {
			b, _ := json.Marshal(form.Get(k))
			raw[k] = b
		}
	}
	text := func(n string) (string, bool) {
		r := bytes.TrimSpace(raw[n])
		if len(r) == 0 || string(r) == "null" {
			return "", false
		}
		var s string
		if r[0] != '"' || json.Unmarshal(r, &s) != nil {
			v.Add(n, n+" must be text")
		}
		return s, true
	}
	for _, n := range names {
		if s, ok := text(n); ok {
			out[n] = s
		}
	}
	if _, ok := raw["cardId"]; ok {
		// Refused by the store with the other fields (store.UpdateCardholder).
		out["cardId"] = string(raw["cardId"])
	}
	otp, _ := text("otp")
	return out, otp, nil
}

// UpdateCardholder changes any of the create fields of a cardholder with the same validation and
// uniqueness, and answers the cardholder. The one-time code is required when the operator holds
// cardholders:otp.
func (h *Handlers) UpdateCardholder(c echo.Context) error {
	id, err := cardholderParam(c)
	if err != nil {
		return err
	}
	var v store.Validation
	patch, otp, err := presentFields(c, &v, store.EditableFields)
	if err != nil {
		return err
	}
	if err := v.Err(); err != nil {
		return err
	}
	if err := h.app.CheckOTP(c, "cardholders", otp); err != nil {
		return err
	}
	ch, err := h.store.UpdateCardholder(c.Request().Context(), web.Actor(c), web.PartnerID(c), id, patch, h.app.Now())
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Message: "cardholder updated", Data: ch})
}

// closeBody is the body of a closing.
type closeBody struct {
	Reason         string `json:"reason" form:"reason"`
	UnloadBalances bool   `json:"unloadBalances" form:"unloadBalances"`
	OTP            string `json:"otp" form:"otp"`
}

// CloseCardholder closes a cardholder for good; a one-time code is always required. While a card
// holds money it is refused (7102) unless unloadBalances moves every balance back to the partner.
func (h *Handlers) CloseCardholder(c echo.Context) error {
	id, err := cardholderParam(c)
	if err != nil {
		return err
	}
	var body closeBody
	if err := bind(c, &body); err != nil {
		return err
	}
	if strings.TrimSpace(body.Reason) == "" {
		var v store.Validation
		v.Add("reason", "reason is required: why the cardholder is closed")
		return v.Err()
	}
	if err := h.app.RequireOTP(c, body.OTP); err != nil {
		return err
	}
	res, err := h.store.CloseCardholder(c.Request().Context(), web.Actor(c), web.PartnerID(c), id, body.Reason, body.UnloadBalances)
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Message: "cardholder closed", Data: res})
}
