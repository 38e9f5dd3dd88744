package format

import (
	"context"
	"strings"

	"cardconsole/web/i18n"
)

// Enum writes an enum value of the API (a marital status, a document type, a request type, a
// card status...) in words: the catalogue's "enum.<kind>.<value>", or the value itself when the
// catalogue has no word for it, so a new value shows rather than disappears.
func Enum(ctx context.Context, kind, value string) string {
	id := "enum." + kind + "." + value
	if !i18n.Has(i18n.Lang(ctx), id) {
		return value
	}
	return i18n.T(ctx, id)
}

// Field is the name of an input field in words ("fecha de nacimiento" for dateOfBirth, and for
// payload.dateOfBirth or filter[dateOfBirth]), or the field's key when the catalogue has no word for it.
func Field(lang, field string) string {
	id := "field." + field
	if !i18n.Has(lang, id) {
		if key := FieldKey(field); key != field {
			return Field(lang, key)
		}
		return field
	}
	return i18n.In(lang, id, nil)
}

// FieldKey is the key a field's messages start with: amount for payload.amount, clientId for
// filter[clientId]; any other field is its own key.
func FieldKey(field string) string {
	if key, ok := strings.CutPrefix(field, "payload."); ok {
		return key
	}
	if key, ok := strings.CutPrefix(field, "filter["); ok && strings.HasSuffix(key, "]") {
		return strings.TrimSuffix(key, "]")
	}
	return field
}
