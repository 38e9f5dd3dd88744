// Package views renders the console's HTML with templ: the layout, shared components and one file
// per screen. Components receive view models and never query anything.
package views

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"cardconsole/web/format"
)

// Chrome is what the layout needs around every page: who is logged in, the CSRF token, flashes.
type Chrome struct {
	Title    string
	Operator string // email of the logged-in operator; empty on the login page
	CSRF     string
	Flashes  []Flash
	Path     string // the current path, to highlight navigation
	AuditLog bool   // the operator holds audit-log:list on some partner, so the navigation links the audit log
	Next     string // the current path and query, where the language picker comes back to

	Requests RequestsBell // the client requests link and bell
	// IdleSeconds is how long the session lives without a request; idle.js warns a minute before.
	IdleSeconds int
}

// Flash is a one-time message shown at the top of the next page.
type Flash struct {
	Kind string // success, info, warning, error
	Text string
}

// csrfHeaders is the hx-headers value that makes every HTMX request carry the CSRF token.
func csrfHeaders(token string) string {
	b, _ := json.Marshal(map[string]string{"X-CSRF-Token": token})
	return string(b)
}

// Amount formats money for people, with thousands separators: 250,000.00.
func Amount(d decimal.Decimal) string { return format.Amount(d) }

// DateTime formats a time for tables in the request's language and time zone (the partner's);
// the screen names the zone once (ZoneNote).
func DateTime(ctx context.Context, t time.Time) string { return format.DateTime(ctx, t) }

// ID formats an identifier.
func ID(id int64) string { return strconv.FormatInt(id, 10) }

// PartnerURL is the path of a page or route of a partner.
func PartnerURL(partnerID int64, rest string) string {
	return fmt.Sprintf("/cms/rest/app/partners/%d%s", partnerID, rest)
}

// WithQuery returns path with the query values set.
func WithQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

func flashClasses(kind string) string {
	switch kind {
	case "success":
		return "border-emerald-300 bg-emerald-50 text-emerald-900"
	case "warning":
		return "border-amber-300 bg-amber-50 text-amber-900"
	case "error":
		return "border-rose-300 bg-rose-50 text-rose-900"
	}
	return "border-sky-300 bg-sky-50 text-sky-900"
}

// Exact formats a time to the second with its UTC offset, for the tooltip of a shorter time.
func Exact(ctx context.Context, t time.Time) string { return format.Exact(ctx, t) }

// ZoneNote names the time zone the screen's times are in, once per screen: "hora de Guatemala (UTC−6)".
func ZoneNote(ctx context.Context) string { return format.ZoneName(ctx, time.Now()) }

// Enum writes an API enum value in words ("process_status", "PENDING" → "pendiente").
func Enum(ctx context.Context, kind, value string) string { return format.Enum(ctx, kind, value) }

// optionKinds are the enum kinds of the form fields whose options are shown in words.
var optionKinds = map[string]string{"maritalStatus": "marital_status", "gender": "gender", "documentType": "document_type"}

// optionsInWords labels a field's allowed values for a dropdown: countries by name sorted in the
// request's language, enums in words in their own order, anything else as it is.
func optionsInWords(ctx context.Context, field string, values []string) []format.Country {
	if field == "countryOfBirth" {
		return format.Countries(ctx, values)
	}
	out := make([]format.Country, len(values))
	for i, v := range values {
		out[i] = format.Country{Code: v, Name: v}
		if kind, ok := optionKinds[field]; ok {
			out[i].Name = format.Enum(ctx, kind, v)
		}
	}
	return out
}
