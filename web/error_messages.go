package web

import (
	"strings"
	"unicode"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/web/format"
	"cardconsole/web/i18n"
)

// translateEnvelope puts an error envelope's messages into lang; codes and fields never change.
// In English the API keeps store's messages word for word, while the console (words) names fields
// in words; in Spanish both get the catalogue's text, or the code's general text when the
// catalogue has none for that message.
func translateEnvelope(env ErrorEnvelope, lang string, words bool) ErrorEnvelope {
	out := ErrorEnvelope{Success: env.Success, Data: env.Data, Errors: make([]ErrorDetail, len(env.Errors))}
	topCode := ""
	if len(env.Errors) > 0 {
		topCode = env.Errors[0].Code
	}
	out.Message = translateMessage(env.Message, topCode, lang, words)
	for i, d := range env.Errors {
		out.Errors[i] = d
		if d.Field == "" {
			out.Errors[i].Message = translateMessage(d.Message, d.Code, lang, words)
			continue
		}
		out.Errors[i].Message = translateField(d.Field, d.Message, d.Code, lang, words)
	}
	return out
}

// translateMessage is a message that concerns no field, in lang; a refusal for want of a
// permission names the permission in words when the message is for people.
func translateMessage(msg, code, lang string, words bool) string {
	if what, ok := permissionIn(msg, "you need the permission ", lang); ok && (words || lang != i18n.EN) {
		return i18n.In(lang, "errors.refused.permission", map[string]any{"What": what})
	}
	if what, ok := permissionIn(msg, "you cannot grant ", lang); ok && (words || lang != i18n.EN) {
		return i18n.In(lang, "errors.refused.grant", map[string]any{"What": what})
	}
	if id := "errors.msg." + slug(msg); i18n.Has(lang, id) {
		return i18n.In(lang, id, nil)
	}
	if lang == i18n.EN || !i18n.Has(lang, "errors.code."+code) {
		return msg
	}
	return i18n.In(lang, "errors.code."+code, nil)
}

// translateField is the message of an invalid field, in lang, naming the field in words when the
// message is for people (the console, or any Spanish text).
func translateField(field, msg, code, lang string, words bool) string {
	word := format.Field(lang, field)
	rest, ok := strings.CutPrefix(msg, field+" ")
	if !ok {
		rest, ok = strings.CutPrefix(msg, format.FieldKey(field)+" ")
	}
	if ok {
		if id := "errors.field." + slug(rest); i18n.Has(lang, id) {
			if lang == i18n.EN && !words {
				return msg
			}
			return i18n.In(lang, id, map[string]any{"Field": word})
		}
		if lang == i18n.EN {
			if words {
				return word + " " + rest
			}
			return msg
		}
	}
	if id := "errors.msg." + slug(msg); i18n.Has(lang, id) {
		return i18n.In(lang, id, nil)
	}
	if lang == i18n.EN || !i18n.Has(lang, "errors.code."+code) {
		return msg
	}
	return word + ": " + i18n.In(lang, "errors.code."+code, nil)
}

// permissionIn reads a refusal about a permission, "<prefix><name>[: or space ...]", and says what
// the permission lets an operator do, in lang.
func permissionIn(msg, prefix, lang string) (string, bool) {
	rest, ok := strings.CutPrefix(msg, prefix)
	if !ok {
		return "", false
	}
	name, _, _ := strings.Cut(strings.Replace(rest, ": ", " ", 1), " ")
	if id := "enum.permission." + name; i18n.Has(lang, id) {
		return i18n.In(lang, id, nil), true
	}
	return "", false
}

// slug turns a message into the tail of its catalogue id: lower case, words joined by "_".
func slug(msg string) string {
	var b strings.Builder
	gap := false
	for _, r := range strings.ToLower(msg) {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if gap && b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
			gap = false
			continue
		}
		gap = true
	}
	return b.String()
}

// FieldErrors indexes a validation error's messages by field for a console form, in the
// request's language with fields named in words.
func FieldErrors(c echo.Context, err error) map[string]string {
	e, ok := store.AsError(err)
	if !ok || len(e.Fields) == 0 {
		return nil
	}
	lang := i18n.Lang(c.Request().Context())
	m := make(map[string]string, len(e.Fields))
	for _, f := range e.Fields {
		if _, seen := m[f.Field]; !seen {
			m[f.Field] = translateField(f.Field, f.Message, string(f.Code), lang, true)
		}
	}
	return m
}

// ErrorMessage is a business error's message in the request's language, for a console form that
// shows it in place.
func ErrorMessage(c echo.Context, e *store.Error) string {
	return translateMessage(e.Message, string(e.Code), i18n.Lang(c.Request().Context()), true)
}
