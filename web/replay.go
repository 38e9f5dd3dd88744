package web

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
)

// HeaderReplayed marks an answer that repeats the one kept under an idempotency key.
const HeaderReplayed = "Idempotent-Replayed"

// ErrorReply is the status and JSON body the central error handler answers err with, for routes that
// keep their answers (idempotent funds operations) and must send a refusal again byte for byte.
func ErrorReply(err error) (store.Reply, error) {
	status, env := classify(err)
	b, merr := json.Marshal(env)
	if merr != nil {
		return store.Reply{}, fmt.Errorf("web: unable to encode error: %w", merr)
	}
	return store.Reply{Status: status, Body: b}, nil
}

// SuccessReply is the success envelope of data as a kept answer.
func SuccessReply(status int, message string, data any) (store.Reply, error) {
	b, err := json.Marshal(Envelope{Success: true, Message: message, Data: data})
	if err != nil {
		return store.Reply{}, fmt.Errorf("web: unable to encode reply: %w", err)
	}
	return store.Reply{Status: status, Body: b}, nil
}

// SendReply writes a kept answer as it was first sent; a replay says so in HeaderReplayed.
func SendReply(c echo.Context, r store.Reply, replayed bool) error {
	c.Response().Header().Add("Vary", "Accept, HX-Request")
	if replayed {
		c.Response().Header().Set(HeaderReplayed, "true")
	}
	if r.Status == http.StatusNoContent {
		return c.NoContent(r.Status)
	}
	return c.Blob(r.Status, echo.MIMEApplicationJSON, r.Body)
}

// ReplyError turns a kept error answer back into the business error it was made from, so that a
// console replay of a refusal shows the same message through the central error handler.
func ReplyError(r store.Reply) error {
	var env ErrorEnvelope
	if err := json.Unmarshal(r.Body, &env); err != nil || len(env.Errors) == 0 {
		return fmt.Errorf("web: kept reply is not an error envelope (status %d)", r.Status)
	}
	e := &store.Error{Code: store.Code(env.Errors[0].Code), Message: env.Message}
	for _, d := range env.Errors {
		if d.Field != "" {
			e.Fields = append(e.Fields, store.FieldError{Field: d.Field, Code: store.Code(d.Code), Message: d.Message})
		}
	}
	return e
}
