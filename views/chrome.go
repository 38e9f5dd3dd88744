// Package views renders the console's HTML with templ: the layout, shared components and one file
// per screen. Components receive view models and never query anything.
package views

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"cardconsole/store/money"
)

// Chrome is what the layout needs around every page: who is logged in, the CSRF token, flashes.
type Chrome struct {
	Title    string
	Operator string // email of the logged-in operator; empty on the login page
	CSRF     string
	Flashes  []Flash
	Path     string // the current path, to highlight navigation

	Requests RequestsBell // the client requests link and bell
	// CanAudit shows the audit log link: the operator holds audit-log:list on some partner.
	CanAudit bool
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

// Amount formats money for people.
func Amount(d decimal.Decimal) string { return money.Format(d) }

// DateTime formats a time for tables, in the viewer-independent UTC with its zone shown.
func DateTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

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
