package handlers

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
)

// fields reads the named fields of a flat JSON object, or of a form, as text. A JSON number keeps
// its literal text; a JSON field of another type (object, array, boolean) is recorded in v as
// invalid, so a handler reports it with every other bad field instead of refusing the whole body.
// Absent and null fields are empty.
func fields(c echo.Context, v *store.Validation, names ...string) (map[string]string, error) {
	out := make(map[string]string, len(names))
	if !strings.HasPrefix(c.Request().Header.Get(echo.HeaderContentType), echo.MIMEApplicationJSON) {
		for _, n := range names {
			out[n] = c.FormValue(n)
		}
		return out, nil
	}
	var raw map[string]json.RawMessage
	if err := json.NewDecoder(c.Request().Body).Decode(&raw); err != nil {
		return nil, store.NewError(store.CodeCheckParameters, "the request body must be a JSON object")
	}
	for _, n := range names {
		r := bytes.TrimSpace(raw[n])
		switch {
		case len(r) == 0 || string(r) == "null":
		case r[0] == '"':
			var s string
			if err := json.Unmarshal(r, &s); err != nil {
				v.Add(n, n+" must be text")
			}
			out[n] = s
		case r[0] == '-' || (r[0] >= '0' && r[0] <= '9'):
			out[n] = string(r)
		default:
			v.Add(n, n+" must be text or a number")
		}
	}
	return out, nil
}

// positiveID parses an id field; a value that is present but not a positive integer is recorded in v.
func positiveID(v *store.Validation, field, raw string) int64 {
	raw = strings.TrimSpace(raw)
	if raw == "" || v.Has(field) {
		return 0
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		v.Add(field, field+" must be an id: a positive integer")
		return 0
	}
	return id
}

// pathID reads a positive id from the path; anything else answers notFound, as a missing object does.
func pathID(c echo.Context, name string, notFound error) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, notFound
	}
	return id, nil
}

func cardholderParam(c echo.Context) (int64, error) {
	return pathID(c, "cardholderId", store.NewError(store.CodeUserNotFound, "cardholder not found"))
}

func cardParam(c echo.Context) (int64, error) {
	return pathID(c, "cardId", store.NewError(store.CodeCardNotFound, "card not found"))
}

// checkBodyOTP reads a body whose only field is the one-time code and checks the code for
// scope (required when the operator holds scope:otp).
func (h *Handlers) checkBodyOTP(c echo.Context, scope string) error {
	var body struct {
		OTP string `json:"otp" form:"otp"`
	}
	if err := bind(c, &body); err != nil {
		return err
	}
	return h.app.CheckOTP(c, scope, body.OTP)
}

// listPage is the JSON of a paginated list.
type listPage[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
	Page  int `json:"page"`
	Limit int `json:"limit"`
}
