package handlers

import (
	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/web"
)

// permCardholdersOTP is the grant that makes an operator give a one-time code for a cardholder's
// personal data. Every route that shows such data without a code masks it for that operator
// (store/masking.go); the cardholder detail, which takes the code, shows it whole.
const permCardholdersOTP = "cardholders:otp"

// maskedPartners returns the partners on which the operator must give a code for personal data.
func (h *Handlers) maskedPartners(c echo.Context) (map[int64]bool, error) {
	p, _ := web.PrincipalOf(c)
	ids, err := h.store.PartnerIDsFor(c.Request().Context(), p.OperatorID, permCardholdersOTP)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// maskRequests masks the client details of the requests on partners where the operator needs a code.
func (h *Handlers) maskRequests(c echo.Context, items []store.ClientRequest) error {
	masked, err := h.maskedPartners(c)
	if err != nil {
		return err
	}
	for i := range items {
		if masked[items[i].PartnerID] {
			items[i].MaskPersonal()
		}
	}
	return nil
}
