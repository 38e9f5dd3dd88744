package format

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // partners' time zones, whatever the host has installed

	"cardconsole/web/i18n"
)

// layouts are the date and time layouts of each language: dd/mm/aaaa in Spanish, ISO in English
// (never the ambiguous US order).
var layouts = map[string]struct{ date, dateTime, exact string }{
	i18n.ES: {"02/01/2006", "02/01/2006 15:04", "02/01/2006 15:04:05"},
	i18n.EN: {"2006-01-02", "2006-01-02 15:04", "2006-01-02 15:04:05"},
}

// Date writes the day of t in the context's time zone.
func Date(ctx context.Context, t time.Time) string {
	l := i18n.From(ctx)
	return t.In(l.Zone).Format(layouts[l.Lang].date)
}

// Day writes a calendar day kept as YYYY-MM-DD (a date of birth, a period's bound) in the context's
// language, with no time zone to move it; text that is not such a day is returned as it is.
func Day(ctx context.Context, day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.Format(layouts[i18n.Lang(ctx)].date)
}

// DateTime writes t to the minute in the context's time zone; the zone is named once per screen
// (ZoneName), not on every timestamp.
func DateTime(ctx context.Context, t time.Time) string {
	l := i18n.From(ctx)
	return t.In(l.Zone).Format(layouts[l.Lang].dateTime)
}

// Exact writes t to the second in the context's time zone with its UTC offset, for tooltips.
func Exact(ctx context.Context, t time.Time) string {
	l := i18n.From(ctx)
	lt := t.In(l.Zone)
	return lt.Format(layouts[l.Lang].exact) + " " + Offset(lt)
}

// Offset writes the UTC offset of t as people read it: UTC−6, UTC+5:30.
func Offset(t time.Time) string {
	_, secs := t.Zone()
	sign := "+"
	if secs < 0 {
		sign, secs = "−", -secs
	}
	h, m := secs/3600, secs%3600/60
	if m != 0 {
		return fmt.Sprintf("UTC%s%d:%02d", sign, h, m)
	}
	if h == 0 {
		return "UTC"
	}
	return fmt.Sprintf("UTC%s%d", sign, h)
}

// ZoneName names the context's time zone, e.g. "hora de Guatemala (UTC−6)", at the instant now.
func ZoneName(ctx context.Context, now time.Time) string {
	l := i18n.From(ctx)
	city := l.Zone.String()
	if i := strings.LastIndexByte(city, '/'); i >= 0 {
		city = city[i+1:]
	}
	city = strings.ReplaceAll(city, "_", " ")
	return i18n.T(ctx, "time.zone", map[string]any{"City": city, "Offset": Offset(now.In(l.Zone))})
}

// Relative says how long ago t was, from now: "hace 3 min", "3 min ago"; past a week it is the date.
func Relative(ctx context.Context, t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < 0:
		return DateTime(ctx, t)
	case d < time.Minute:
		return i18n.T(ctx, "time.just_now")
	case d < time.Hour:
		return i18n.N(ctx, "time.minutes_ago", int(d/time.Minute))
	case d < 24*time.Hour:
		return i18n.N(ctx, "time.hours_ago", int(d/time.Hour))
	case d < 7*24*time.Hour:
		return i18n.N(ctx, "time.days_ago", int(d/(24*time.Hour)))
	}
	return Date(ctx, t)
}

// Month is the name of a month in the context's language.
func Month(ctx context.Context, m time.Month) string {
	return i18n.T(ctx, fmt.Sprintf("time.month.%d", int(m)))
}

// zones caches loaded time zones: a screen formats many times in the same one.
var zones sync.Map

// Zone loads an IANA time zone, falling back to the default zone for a name it does not know.
func Zone(name string) *time.Location {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" {
		return i18n.DefaultZone
	}
	zones.Store(name, loc)
	return loc
}
