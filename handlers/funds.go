package handlers

import (
	"encoding/json"
	"fmt"
	"github.com/a-h/templ"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"cardconsole/store"
	"cardconsole/views"
	"cardconsole/web"
)

// opTransfer names a transfer in funds results.
const opTransfer = "TRANSFER"

// headerIdempotencyKey makes a CMS funds request apply at most once per operator.
const headerIdempotencyKey = "Idempotency-Key"

// fundsResult is the answer of every funds operation, on the CMS and the issuer routes alike.
type fundsResult struct {
	Operation string           `json:"operation"` // ADD_FUNDS, WITHDRAW_FUNDS or TRANSFER
	EntryID   string           `json:"entryId"`   // shared by the operation's movements
	CardID    int64            `json:"cardId"`    // the card loaded or unloaded, or a transfer's source
	Amount    decimal.Decimal  `json:"amount"`
	Currency  string           `json:"currency"`
	Balance   decimal.Decimal  `json:"balance"` // the card's balance after the operation
	ToCardID  int64            `json:"toCardId,omitempty"`
	ToBalance *decimal.Decimal `json:"toBalance,omitempty"`
	Movements []movementJSON   `json:"movements"` // the movements of the cards (not of the partner's balance)
}

func newFundsResult(operation string, cardID, toCardID int64, movements []store.Movement) fundsResult {
	from := store.CardSide(movements, cardID)
	r := fundsResult{Operation: operation, EntryID: from.EntryID, CardID: cardID, Amount: from.Amount,
		Currency: from.Currency, Balance: from.BalanceAfter, Movements: []movementJSON{newMovementJSON(from, nil)}}
	if toCardID != 0 {
		to := store.CardSide(movements, toCardID)
		r.ToCardID, r.ToBalance = toCardID, &to.BalanceAfter
		r.Movements = append(r.Movements, newMovementJSON(to, nil))
	}
	return r
}

// fundsCall is one funds request of the CMS or the issuer API, ready to run.
type fundsCall struct {
	operation   string // ADD_FUNDS, WITHDRAW_FUNDS or TRANSFER
	holderID    int64
	cardID      int64
	toCardID    int64
	op          store.Operation
	fingerprint []byte
	otp         string
	message     string
}

// replier keeps a call's answer: the success envelope of its result, or the error envelope of its
// refusal, exactly as the central error handler would have written it.
func (f fundsCall) replier() store.Replier {
	return func(movements []store.Movement, refusal *store.Error) (store.Reply, error) {
		if refusal != nil {
			return web.ErrorReply(refusal)
		}
		return web.SuccessReply(http.StatusOK, f.message, newFundsResult(f.operation, f.cardID, f.toCardID, movements))
	}
}

// AddFunds loads a card of the cardholder from the partner's available balance.
func (h *Handlers) AddFunds(c echo.Context) error { return h.cardFunds(c, loadCard) }

// WithdrawFunds unloads a card of the cardholder back to the partner's available balance.
func (h *Handlers) WithdrawFunds(c echo.Context) error { return h.cardFunds(c, unloadCard) }

// cardFundsKind is a CMS card funds operation: its console form, its movement type, its message
// and the store operation that applies it.
type cardFundsKind struct {
	form, operation, message string
	apply                    func(store.FundsOp) store.Operation
}

// The card funds operations.
var (
	loadCard   = cardFundsKind{form: "add", operation: store.MovementAddFunds, message: "funds added", apply: store.AddFundsOperation}
	unloadCard = cardFundsKind{form: "withdraw", operation: store.MovementWithdrawFunds, message: "funds withdrawn",
		apply: store.WithdrawFundsOperation}
)

func (h *Handlers) cardFunds(c echo.Context, kind cardFundsKind) error {
	holderID, err := pathID(c, "cardholderId", errCardNotFound)
	if err != nil {
		return err
	}
	var body cmsFundsBody
	if err := bindStrict(c, &body); err != nil {
		return err
	}
	form, operation, message := kind.form, kind.operation, kind.message
	amount, err := body.check()
	if err != nil {
		return h.fundsInvalid(c, holderID, body.CardID, form, string(body.Amount), body.Observations, 0, err)
	}
	op := store.FundsOp{PartnerID: web.PartnerID(c), CardholderID: holderID, CardID: body.CardID, Amount: amount,
		Channel: store.ChannelCMS, Description: body.Observations}
	call := fundsCall{operation: operation, holderID: holderID, cardID: body.CardID, otp: body.OTP, message: message,
		op: kind.apply(op),
		fingerprint: fingerprint(map[string]any{"operation": operation, "partnerId": op.PartnerID, "cardholderId": holderID,
			"cardId": body.CardID, "amount": amount.String(), "observations": body.Observations})}
	return h.runFunds(c, call)
}

// TransferFunds moves money between two ACTIVE cards of the cardholder.
func (h *Handlers) TransferFunds(c echo.Context) error {
	holderID, err := pathID(c, "cardholderId", errCardNotFound)
	if err != nil {
		return err
	}
	var body cmsTransferBody
	if err := bindStrict(c, &body); err != nil {
		return err
	}
	amount, err := body.check()
	if err != nil {
		return h.fundsInvalid(c, holderID, body.FromCardID, "transfer", string(body.Amount), body.Observations, body.ToCardID, err)
	}
	op := store.TransferOp{PartnerID: web.PartnerID(c), CardholderID: holderID, FromCardID: body.FromCardID,
		ToCardID: body.ToCardID, Amount: amount, Description: body.Observations}
	return h.runFunds(c, fundsCall{operation: opTransfer, holderID: holderID, cardID: body.FromCardID,
		toCardID: body.ToCardID, otp: body.OTP, message: "transfer done", op: store.TransferOperation(op),
		fingerprint: fingerprint(map[string]any{"operation": opTransfer, "partnerId": op.PartnerID, "cardholderId": holderID,
			"fromCardId": body.FromCardID, "toCardId": body.ToCardID, "amount": amount.String(), "observations": body.Observations})})
}

// runFunds applies a CMS call. With an Idempotency-Key, a key already used answers its kept reply
// before any one-time code is asked for (a retry must not need a new code); otherwise the code is
// checked and the operation runs once under the key.
func (h *Handlers) runFunds(c echo.Context, call fundsCall) error {
	ctx := c.Request().Context()
	key := strings.TrimSpace(c.Request().Header.Get(headerIdempotencyKey))
	if key == "" {
		if err := h.app.CheckOTP(c, "cards-admin", call.otp); err != nil {
			return err
		}
		movements, err := h.store.Apply(ctx, web.Actor(c), call.op)
		if err != nil {
			return err
		}
		return h.fundsDone(c, call, newFundsResult(call.operation, call.cardID, call.toCardID, movements), false)
	}
	if !store.ValidKey(key) {
		var v store.Validation
		v.Add(headerIdempotencyKey, "the Idempotency-Key header must be 1 to 255 printable characters")
		return v.Err()
	}
	p, _ := web.PrincipalOf(c)
	once := store.Once{Scope: store.OperatorScope(p.OperatorID), Key: key, Fingerprint: call.fingerprint}
	reply, replayed, err := h.store.StoredReply(ctx, once)
	if err != nil {
		return err
	}
	if !replayed {
		if err := h.app.CheckOTP(c, "cards-admin", call.otp); err != nil {
			return err
		}
		if reply, replayed, err = h.store.ApplyOnce(ctx, web.Actor(c), once, call.op, call.replier()); err != nil {
			return err
		}
	}
	if web.WantsJSON(c) {
		// Special: an API client gets the kept reply byte for byte, so a retry under the same key
		// reads exactly what the first request read; the console's answer is built from it below.
		return web.SendReply(c, reply, replayed)
	}
	if reply.Status >= http.StatusBadRequest {
		return web.ReplyError(reply)
	}
	var env struct {
		Data fundsResult `json:"data"`
	}
	if err := json.Unmarshal(reply.Body, &env); err != nil {
		return fmt.Errorf("handlers: unable to read kept funds reply: %w", err)
	}
	return h.fundsDone(c, call, env.Data, replayed)
}

// fundsDone answers an operation that applied (now or, when replayed, earlier): JSON gets the result,
// HTMX the outcome above fresh forms plus a card-changed event that reloads the balances and the
// movements, a plain form post a redirect to the card page.
func (h *Handlers) fundsDone(c echo.Context, call fundsCall, res fundsResult, replayed bool) error {
	flash := &web.Flash{Kind: web.Success, Key: "funds.applied"}
	if replayed {
		flash = &web.Flash{Kind: web.Info, Key: "funds.already_applied"}
	}
	panel := web.Lazy(func() (templ.Component, error) {
		card, err := h.store.CardOfHolder(c.Request().Context(), web.PartnerID(c), call.holderID, call.cardID)
		if err != nil {
			return nil, err
		}
		f, _, err := h.fundsForms(c, call.holderID, card)
		if err != nil {
			return nil, err
		}
		f.Outcome = &views.FundsOutcome{Operation: res.Operation, Amount: res.Amount, Currency: res.Currency, CardID: res.CardID,
			Balance: res.Balance, ToCardID: res.ToCardID, Replayed: replayed}
		if res.ToBalance != nil {
			f.Outcome.ToBalance = *res.ToBalance
		}
		return views.FundsPanel(f), nil
	})
	return h.app.Respond(c, web.View{Message: call.message, Data: res, Partial: panel, Trigger: "card-changed",
		Redirect: &web.Redirect{To: views.CardURL(web.PartnerID(c), call.holderID, call.cardID, ""), Flash: flash}})
}

// fundsInvalid answers a funds body that failed validation: JSON gets the error envelope, the console
// the forms again with the values and the messages next to the fields.
func (h *Handlers) fundsInvalid(c echo.Context, holderID, cardID int64, form, amount, note string, toCardID int64, err error) error {
	return h.app.RespondInvalid(c, err, func(fields map[string]string) (web.View, error) {
		if cardID == 0 {
			return web.View{}, err
		}
		card, cerr := h.store.CardOfHolder(c.Request().Context(), web.PartnerID(c), holderID, cardID)
		if cerr != nil {
			return web.View{}, err
		}
		f, _, ferr := h.fundsForms(c, holderID, card)
		if ferr != nil {
			return web.View{}, ferr
		}
		f.Active, f.Amount, f.Note, f.ToCardID, f.Errors = form, amount, note, toCardID, fields
		return web.View{Title: cardTitle(c, card), Page: views.FundsPanel(f)}, nil
	})
}
