package web

import (
	"github.com/labstack/echo/v4"

	"cardconsole/web/format"
	"cardconsole/web/i18n"
)

// localize answers every request in the language its Accept-Language asks for (Spanish by
// default) until an operator's session refines it (setOperatorLocale).
func localize(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		setLocale(c, i18n.Locale{Lang: i18n.FromAcceptLanguage(c.Request().Header.Get("Accept-Language")), Zone: i18n.DefaultZone})
		return next(c)
	}
}

func setLocale(c echo.Context, l i18n.Locale) {
	r := c.Request()
	c.SetRequest(r.WithContext(i18n.WithLocale(r.Context(), l)))
}

// setOperatorLocale answers a console operator in the language they picked, else their partner's
// country's, else the browser's, and in their first partner's time zone.
func (a *App) setOperatorLocale(c echo.Context, operatorID int64) error {
	l, err := a.Store.OperatorLocale(c.Request().Context(), operatorID)
	if err != nil {
		return err
	}
	setLocale(c, i18n.Locale{Lang: i18n.Resolve(l.Language, l.Country, c.Request().Header.Get("Accept-Language")),
		Zone: format.Zone(l.TimeZone)})
	return nil
}

// setPartnerZone shows a console page of a partner in that partner's time zone.
func (a *App) setPartnerZone(c echo.Context, partnerID int64) error {
	tz, err := a.Store.PartnerTimeZone(c.Request().Context(), partnerID)
	if err != nil {
		return err
	}
	l := i18n.From(c.Request().Context())
	l.Zone = format.Zone(tz)
	setLocale(c, l)
	return nil
}

// T translates a catalogue message into the request's language.
func T(c echo.Context, id string, data ...map[string]any) string {
	return i18n.T(c.Request().Context(), id, data...)
}
