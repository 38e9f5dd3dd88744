package web

import (
	"github.com/labstack/echo/v4"

	"cardconsole/store"
)

// CheckOTP enforces OTP elevation for a resource's sensitive action: when the operator holds
// resource:otp on the route's partner, code must be a valid, unused TOTP code. Handlers call it
// after binding their body, with the body's otp field.
func (a *App) CheckOTP(c echo.Context, resource, code string) error {
	if !GrantsOf(c).Has(store.OTPPermission(resource)) {
		return nil
	}
	return a.RequireOTP(c, code)
}

// RequireOTP always demands a valid, unused TOTP code (bulk operations).
func (a *App) RequireOTP(c echo.Context, code string) error {
	p, _ := PrincipalOf(c)
	return a.Store.VerifyOTP(c.Request().Context(), Actor(c), p.OperatorID, code, a.Now())
}

// NeedsOTP reports whether the operator must present a code for the resource on this partner, so
// forms can show the OTP dialog.
func NeedsOTP(c echo.Context, resource string) bool {
	return GrantsOf(c).Has(store.OTPPermission(resource))
}
