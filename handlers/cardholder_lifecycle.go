package handlers

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/views"
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
// cardholders:otp. The console's edit form gets its errors beside the fields, and once saved the
// personal data panel as it now is.
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
	ch, err := h.updateCardholder(c, id, &v, patch, otp)
	if err != nil {
		return h.app.RespondInvalid(c, err, func(fields map[string]string) (web.View, error) {
			vm := views.CardholderEditView{PartnerID: web.PartnerID(c), CardholderID: id, Values: typedValues(patch),
				Errors: fields, NeedsOTP: web.NeedsOTP(c, "cardholders")}
			return web.View{Partial: views.CardholderEditForm(vm)}, nil
		})
	}
	if web.IsHTMX(c) {
		// The form asked to replace itself; once saved, the whole panel shows the new data.
		c.Response().Header().Set("HX-Retarget", "#personal-data")
	}
	return h.app.Respond(c, web.View{Message: "cardholder updated", Data: ch,
		Partial: views.PersonalData(h.personalPanel(c, id, &ch)),
		Flash:   &web.Flash{Kind: web.Success, Key: "cardholder_edit.saved", Args: map[string]any{"Name": ch.FullName()}}})
}

// updateCardholder checks the fields read and the one-time code, then saves the change.
func (h *Handlers) updateCardholder(c echo.Context, id int64, v *store.Validation, patch map[string]string, otp string) (store.Cardholder, error) {
	if err := v.Err(); err != nil {
		return store.Cardholder{}, err
	}
	if err := h.app.CheckOTP(c, "cardholders", otp); err != nil {
		return store.Cardholder{}, err
	}
	return h.store.UpdateCardholder(c.Request().Context(), web.Actor(c), web.PartnerID(c), id, patch, h.app.Now())
}

// typedValues are the edit form's fields as typed, to show them back beside their errors.
func typedValues(patch map[string]string) store.NewCardholder {
	return store.NewCardholder{Name: patch["name"], LastName: patch["lastName"], Address: patch["address"],
		CountryOfBirth: patch["countryOfBirth"], DateOfBirth: patch["dateOfBirth"], MaritalStatus: patch["maritalStatus"],
		Gender: patch["gender"], PhoneNumber: patch["phoneNumber"], Email: patch["email"], DocumentType: patch["documentType"],
		DocumentNumber: patch["documentNumber"]}
}

// closeBody is the body of a closing.
type closeBody struct {
	Reason         string `json:"reason" form:"reason"`
	UnloadBalances bool   `json:"unloadBalances" form:"unloadBalances"`
	OTP            string `json:"otp" form:"otp"`
}

// CloseCardholder closes a cardholder for good; a one-time code is always required. While a card
// holds money it is refused (7102) unless unloadBalances moves every balance back to the partner.
// The console's dialog also asks the operator to confirm the person's name; its refusals are shown
// in the dialog, and once closed the browser goes back to the (now read-only) cardholder page.
func (h *Handlers) CloseCardholder(c echo.Context) error {
	id, err := cardholderParam(c)
	if err != nil {
		return err
	}
	var body closeBody
	if err := bind(c, &body); err != nil {
		return err
	}
	res, err := h.closeCardholder(c, id, body)
	if err != nil {
		form := func(fields map[string]string, problem string) (web.View, error) {
			vm, ferr := h.closeDialog(c, id)
			vm.Unload, vm.Reason, vm.Errors, vm.Problem = body.UnloadBalances, body.Reason, fields, problem
			return web.View{Partial: views.CloseCardholderForm(vm)}, ferr
		}
		if e, ok := store.AsError(err); ok && e.Code == store.CodeCardholderHasFunds {
			v, ferr := form(nil, web.T(c, "cardholder_close.has_funds"))
			if ferr != nil {
				return ferr
			}
			v.Status = http.StatusConflict
			return h.app.RespondRefused(c, err, v)
		}
		return h.app.RespondInvalid(c, err, func(fields map[string]string) (web.View, error) { return form(fields, "") })
	}
	name := res.Cardholder.FullName()
	return h.app.Respond(c, web.View{Message: "cardholder closed", Data: res,
		Redirect: &web.Redirect{To: views.HolderURL(web.PartnerID(c), id, ""),
			Flash: &web.Flash{Kind: web.Success, Key: "cardholder_close.done", Args: map[string]any{"Name": name}}}})
}

// closeCardholder checks the closing's reason, the console's confirmation and the one-time code,
// then closes.
func (h *Handlers) closeCardholder(c echo.Context, id int64, body closeBody) (store.Closing, error) {
	var v store.Validation
	if strings.TrimSpace(body.Reason) == "" {
		v.Add("reason", "reason is required: why the cardholder is closed")
	}
	if !web.WantsJSON(c) && c.FormValue("confirm") != "yes" {
		v.Add("confirm", "confirm is required: tick the box that names the person")
	}
	if err := v.Err(); err != nil {
		return store.Closing{}, err
	}
	if err := h.app.RequireOTP(c, body.OTP); err != nil {
		return store.Closing{}, err
	}
	return h.store.CloseCardholder(c.Request().Context(), web.Actor(c), web.PartnerID(c), id, body.Reason, body.UnloadBalances)
}

// closeDialog is the closing dialog of a cardholder: their name and every card with its balance.
func (h *Handlers) closeDialog(c echo.Context, id int64) (views.CloseCardholderView, error) {
	ctx := c.Request().Context()
	pid := web.PartnerID(c)
	vm := views.CloseCardholderView{PartnerID: pid, CardholderID: id}
	head, err := h.store.ReadCardholderHeader(ctx, pid, id)
	if err != nil {
		return vm, err
	}
	vm.Name = head.FullName()
	vm.Cards, err = h.store.OwnedCards(ctx, pid, id)
	return vm, err
}
