package i18n

import (
	"context"
	"time"
)

// Locale is the language and time zone a request is answered in.
type Locale struct {
	Lang string
	Zone *time.Location
}

type ctxKey struct{}

// DefaultZone is the time zone of a request that has no partner to take one from.
var DefaultZone = mustZone("America/Guatemala")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("i18n: " + err.Error())
	}
	return loc
}

// WithLocale returns a context that answers in the locale.
func WithLocale(ctx context.Context, l Locale) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// From returns the locale of the context: Spanish in Guatemala time when none was set.
func From(ctx context.Context) Locale {
	l, _ := ctx.Value(ctxKey{}).(Locale)
	if !Supported(l.Lang) {
		l.Lang = ES
	}
	if l.Zone == nil {
		l.Zone = DefaultZone
	}
	return l
}

// Lang is the language of the context.
func Lang(ctx context.Context) string { return From(ctx).Lang }

// T translates the message id into the context's language; data fills in "{{.Name}}" fields.
func T(ctx context.Context, id string, data ...map[string]any) string {
	var d map[string]any
	if len(data) > 0 {
		d = data[0]
	}
	return In(Lang(ctx), id, d)
}

// N translates a message with plural forms for count into the context's language.
func N(ctx context.Context, id string, count int, data ...map[string]any) string {
	var d map[string]any
	if len(data) > 0 {
		d = data[0]
	}
	return PluralIn(Lang(ctx), id, count, d)
}
