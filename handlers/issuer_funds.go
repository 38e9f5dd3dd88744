package handlers

import (
	"io"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"cardconsole/store"
	"cardconsole/web"
)

// issuerCard reads the card of an issuer route and checks that the calling application serves its
// partner; a card it does not serve is 7200, like a card that does not exist.
func (h *Handlers) issuerCard(c echo.Context) (store.CardOwner, error) {
	cardID, err := pathID(c, "cardId", errCardNotFound)
	if err != nil {
		return store.CardOwner{}, err
	}
	p, _ := web.PrincipalOf(c)
	return h.store.IssuerCard(c.Request().Context(), p.AppID, web.ApplicationID(c), cardID)
}

// IssuerFunds is POST /rest/cards/{cardId}/funds (FundsOperationDto): a load or unload from a channel.
func (h *Handlers) IssuerFunds(c echo.Context) error { return h.issuerFunds(c, issuerFundsPost) }

// IssuerAssignFunds is PUT /rest/cards/{cardId}/funds (CardAssingFundsDto): an issuer-side adjustment.
func (h *Handlers) IssuerAssignFunds(c echo.Context) error { return h.issuerFunds(c, issuerAssignPut) }

// issuerFunds applies an issuer funds request once per reference of the application: a repeated
// reference with the same body answers the first reply again (an error included) and moves nothing;
// with another body it is 7006. Requests refused before the operation runs (credentials, an invalid
// body, a card the application does not serve) are not kept, so they can be corrected and sent
// again. The card's partner is checked by the store against the partners of the application's
// token, in the operation's transaction.
func (h *Handlers) issuerFunds(c echo.Context, route issuerFundsRoute) error {
	cardID, err := pathID(c, "cardId", errCardNotFound)
	if err != nil {
		return err
	}
	p, _ := web.PrincipalOf(c)
	if web.ApplicationID(c) != p.AppPublicID {
		return errCardNotFound
	}
	raw, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return store.NewError(store.CodeCheckParameters, "the request body could not be read")
	}
	req, err := decodeIssuerFunds(raw, route, cardID)
	if err != nil {
		return err
	}
	op := req.Op
	op.PartnerIDs, op.CardID = p.AppPartners, cardID
	call := fundsCall{operation: store.MovementAddFunds, cardID: cardID, message: "funds added", op: store.AddFundsOperation(op)}
	if req.Withdraw {
		call.operation, call.message, call.op = store.MovementWithdrawFunds, "funds withdrawn", store.WithdrawFundsOperation(op)
	}
	once := store.Once{Scope: store.ApplicationScope(p.AppID), Key: op.Reference, Fingerprint: req.Fingerprint}
	reply, replayed, err := h.store.ApplyOnce(c.Request().Context(), web.Actor(c), once, call.op, call.replier())
	if err != nil {
		return err
	}
	return web.SendReply(c, reply, replayed)
}

// statementJSON is the reconciliation feed of one card and month: openingBalance + totalCredits -
// totalDebits = closingBalance.
type statementJSON struct {
	CardID         int64           `json:"cardId"`
	Month          int             `json:"month"`
	Year           int             `json:"year"`
	TimeZone       string          `json:"timeZone"`
	From           time.Time       `json:"from"`
	To             time.Time       `json:"to"`
	Currency       string          `json:"currency"`
	OpeningBalance decimal.Decimal `json:"openingBalance"`
	TotalCredits   decimal.Decimal `json:"totalCredits"`
	TotalDebits    decimal.Decimal `json:"totalDebits"`
	ClosingBalance decimal.Decimal `json:"closingBalance"`
	Movements      []movementJSON  `json:"movements"`
}

func newStatementJSON(st store.Statement) statementJSON {
	out := statementJSON{CardID: st.CardID, Month: st.Month, Year: st.Year, TimeZone: st.TimeZone, From: st.From, To: st.To,
		Currency: st.Currency, OpeningBalance: st.Opening, ClosingBalance: st.Closing, Movements: movementRowsJSON(st.Movements),
		TotalCredits: decimal.Zero, TotalDebits: decimal.Zero}
	for _, m := range st.Movements {
		if m.Direction == "DEBIT" {
			out.TotalDebits = out.TotalDebits.Add(m.Amount)
		} else {
			out.TotalCredits = out.TotalCredits.Add(m.Amount)
		}
	}
	return out
}

// Reconciliation is GET /rest/cards/{cardId}/transfers/{month}/{year}: the card's movements of that
// month in the partner's time zone, with the opening and closing balances.
func (h *Handlers) Reconciliation(c echo.Context) error {
	owner, err := h.issuerCard(c)
	if err != nil {
		return err
	}
	month, merr := strconv.Atoi(c.Param("month"))
	year, yerr := strconv.Atoi(c.Param("year"))
	if merr != nil || yerr != nil {
		var v store.Validation
		if merr != nil {
			v.Add("month", "month must be a number between 1 and 12")
		}
		if yerr != nil {
			v.Add("year", "year must be a four-digit number")
		}
		return v.Err()
	}
	st, err := h.store.CardStatement(c.Request().Context(), owner, month, year)
	if err != nil {
		return err
	}
	return h.app.Respond(c, web.View{Data: newStatementJSON(st)})
}
