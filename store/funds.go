package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"cardconsole/store/money"
)

// FundsOp loads (ADD_FUNDS) or unloads (WITHDRAW_FUNDS) one card.
type FundsOp struct {
	PartnerID    int64   // the card's partner; 0 when PartnerIDs names the partners it may belong to
	PartnerIDs   []int64 // with PartnerID 0: the partners an issuer application serves
	CardholderID int64   // 0: any cardholder (issuer API); else the card must belong to this cardholder
	CardID       int64
	Amount       decimal.Decimal
	Currency     string // "" means the card's currency; otherwise must equal it
	Channel      string
	Reference    string
	Description  string
	CustomKeys   json.RawMessage
}

// TransferOp moves money between two ACTIVE cards of the same cardholder.
type TransferOp struct {
	PartnerID, CardholderID, FromCardID, ToCardID int64
	Amount                                        decimal.Decimal
	Description                                   string
}

// maxAmount is the first amount that no longer fits numeric(20,4).
var maxAmount = decimal.New(1, 16)

var isoCurrency = regexp.MustCompile(`^[A-Z]{3}$`)

// checkAmount applies the catalog's amount rules to an amount that did not come through money.Parse
// (a caller inside the store): positive, at most four decimal places, and within numeric(20,4).
func checkAmount(v *Validation, field string, amount decimal.Decimal) {
	switch {
	case !amount.IsPositive():
		v.AddCode(field, CodeGreaterThanZero, money.ErrNotPositive.Error())
	case !amount.Equal(amount.Truncate(money.Scale)) || amount.GreaterThanOrEqual(maxAmount):
		v.AddCode(field, CodeInvalidFormatAmount, money.ErrFormat.Error())
	}
}

// fundsCard is a card as a funds operation sees it, read under a share lock.
type fundsCard struct {
	ID               int64         `db:"id"`
	PartnerID        int64         `db:"partner_id"`
	CardholderID     sql.NullInt64 `db:"cardholder_id"`
	AccountID        int64         `db:"account_id"`
	Status           string        `db:"status"`
	Currency         string        `db:"currency"`
	PartnerAccountID sql.NullInt64 `db:"partner_account_id"`
}

// lockFundsCards reads cards by id, in id order, under FOR SHARE: a concurrent block or status
// change waits until the operation commits, so a card is never loaded after a block that committed
// first. Missing cards are simply absent from the answer.
func lockFundsCards(ctx context.Context, tx *sqlx.Tx, ids []int64) (map[int64]fundsCard, error) {
	var rows []fundsCard
	if err := tx.SelectContext(ctx, &rows, lockCardsSQL, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("store: unable to read cards: %w", err)
	}
	cards := make(map[int64]fundsCard, len(rows))
	for _, r := range rows {
		cards[r.ID] = r
	}
	return cards, nil
}

// lockCardsSQL is the statement of lockFundsCards.
const lockCardsSQL = `
	SELECT c.id, c.partner_id, c.cardholder_id, c.account_id, c.status, a.currency, pa.id AS partner_account_id
	FROM cards c
	JOIN accounts a ON a.id = c.account_id
	LEFT JOIN accounts pa ON pa.partner_id = c.partner_id AND pa.kind = 'PARTNER' AND pa.currency = a.currency
	WHERE c.id = ANY($1::bigint[])
	ORDER BY c.id
	FOR SHARE OF c`

// visibleCards returns the operation's cards among those read, or 7200 when one of them does not
// exist or belongs to a partner or cardholder the operation may not touch: the two are never told
// apart.
func visibleCards(op Operation, read map[int64]fundsCard) (map[int64]fundsCard, error) {
	first, second := op.cards()
	cards := make(map[int64]fundsCard, 2)
	for _, id := range []int64{first, second} {
		c, ok := read[id]
		if !ok || !op.sees(c) {
			return nil, NewError(CodeCardNotFound, "card not found")
		}
		cards[id] = c
	}
	return cards, nil
}

// activeCard returns one of an operation's visible cards, checking that funds may move on it.
func activeCard(cards map[int64]fundsCard, cardID int64) (fundsCard, error) {
	c := cards[cardID]
	if c.Status != CardActive {
		return c, NewError(CodeInvalidStatusCard, fmt.Sprintf("card %d is %s; funds can only move on an ACTIVE card", c.ID, c.Status))
	}
	return c, nil
}

// validateFunds checks an operation's own fields before anything is read.
func validateFunds(op FundsOp) error {
	var v Validation
	checkAmount(&v, "amount", op.Amount)
	if op.Currency != "" && !isoCurrency.MatchString(op.Currency) {
		v.Add("currency", "currency must be an ISO 4217 code such as GTQ")
	}
	if len(op.CustomKeys) > 0 && !json.Valid(op.CustomKeys) {
		v.Add("customKeys", "customKeys must be a JSON object")
	}
	return v.Err()
}

// fundsSides checks the card of a load or unload, among the operation's locked cards, and returns
// the partner's and the card's sides.
func fundsSides(op FundsOp, movementType string, cards map[int64]fundsCard) (partner, card *Side, currency string, err error) {
	c, err := activeCard(cards, op.CardID)
	if err != nil && !(movementType == MovementWithdrawFunds && c.Status == CardCanceled) {
		// A CANCELED card's balance is not lost: it may still be unloaded (docs/funds.md).
		return nil, nil, "", err
	}
	if op.Currency != "" && op.Currency != c.Currency {
		var v Validation
		v.Add("currency", fmt.Sprintf("currency must be the card's currency, %s", c.Currency))
		return nil, nil, "", v.Err()
	}
	if !c.PartnerAccountID.Valid {
		return nil, nil, "", Conflict(fmt.Sprintf("the partner has no available balance in %s", c.Currency))
	}
	partner = &Side{AccountID: c.PartnerAccountID.Int64, Type: movementType,
		InsufficientMessage: "the partner's available balance does not cover this amount"}
	card = &Side{AccountID: c.AccountID, CardID: c.ID, Type: movementType,
		InsufficientMessage: "the card's balance does not cover this amount"}
	return partner, card, c.Currency, nil
}

// addFundsTx loads a card from its partner's available balance inside tx. It writes no audit row:
// the caller's own operation (a funds route, an approved client request) does.
func addFundsTx(ctx context.Context, tx *sqlx.Tx, actor Actor, op FundsOp) ([]Movement, error) {
	return runTx(ctx, tx, actor, AddFundsOperation(op))
}

// withdrawFundsTx unloads a card back to its partner's available balance inside tx.
func withdrawFundsTx(ctx context.Context, tx *sqlx.Tx, actor Actor, op FundsOp) ([]Movement, error) {
	return runTx(ctx, tx, actor, WithdrawFundsOperation(op))
}

// transferTx moves money between two ACTIVE cards of one cardholder inside tx.
func transferTx(ctx context.Context, tx *sqlx.Tx, actor Actor, op TransferOp) ([]Movement, error) {
	return runTx(ctx, tx, actor, TransferOperation(op))
}

// runTx checks op, reads its cards and posts it inside tx, without an audit row.
func runTx(ctx context.Context, tx *sqlx.Tx, actor Actor, op Operation) ([]Movement, error) {
	if err := op.check(); err != nil {
		return nil, err
	}
	first, second := op.cards()
	read, err := lockFundsCards(ctx, tx, []int64{first, second})
	if err != nil {
		return nil, err
	}
	cards, err := visibleCards(op, read)
	if err != nil {
		return nil, err
	}
	p, err := op.posting(cards)
	if err != nil {
		return nil, err
	}
	return post(ctx, tx, actor, p)
}

// ChannelCMS is the channel of operations made by operators (console or CMS API).
const ChannelCMS = "CMS"

// Operation is one money movement a funds route performs: a load, an unload or a transfer. It runs
// in three steps, so that a batch (funds_batch.go) can read the cards of many operations at once:
// check its own fields, read its cards, then turn them into the posting to apply.
type Operation interface {
	// check validates the operation's own fields before anything is read.
	check() error
	// cards are the ids of the cards the operation reads under FOR SHARE (the same id twice for a
	// load or unload).
	cards() (first, second int64)
	// sees reports whether the operation may touch the card: its partner, and its cardholder when
	// the operation names one.
	sees(c fundsCard) bool
	// posting checks the operation's cards (visibleCards) and returns the money to move.
	posting(cards map[int64]fundsCard) (Posting, error)
	// event is the audit entry of the applied operation.
	event(movements []Movement) Event
}

type fundsOperation struct {
	op       FundsOp
	withdraw bool
}

// AddFundsOperation is the load of op, to run with ApplyOnce.
func AddFundsOperation(op FundsOp) Operation { return fundsOperation{op: op} }

// WithdrawFundsOperation is the unload of op, to run with ApplyOnce.
func WithdrawFundsOperation(op FundsOp) Operation { return fundsOperation{op: op, withdraw: true} }

func (f fundsOperation) check() error { return validateFunds(f.op) }

func (f fundsOperation) cards() (first, second int64) { return f.op.CardID, f.op.CardID }

func (f fundsOperation) sees(c fundsCard) bool {
	if f.op.CardholderID != 0 && c.CardholderID.Int64 != f.op.CardholderID {
		return false
	}
	if f.op.PartnerID != 0 {
		return c.PartnerID == f.op.PartnerID
	}
	return slices.Contains(f.op.PartnerIDs, c.PartnerID)
}

func (f fundsOperation) posting(cards map[int64]fundsCard) (Posting, error) {
	movementType := MovementAddFunds
	if f.withdraw {
		movementType = MovementWithdrawFunds
	}
	partner, card, currency, err := fundsSides(f.op, movementType, cards)
	if err != nil {
		return Posting{}, err
	}
	p := Posting{From: partner, To: card, Amount: f.op.Amount, Currency: currency,
		Channel: f.op.Channel, Reference: f.op.Reference, Description: f.op.Description, CustomKeys: f.op.CustomKeys}
	if f.withdraw {
		p.From, p.To = card, partner
	}
	return p, nil
}

func (f fundsOperation) event(movements []Movement) Event {
	action := "card.add_funds"
	if f.withdraw {
		action = "card.withdraw_funds"
	}
	card := CardSide(movements, f.op.CardID)
	return Event{PartnerID: card.PartnerID, Action: action, ObjectType: "card", ObjectID: f.op.CardID,
		After: map[string]any{"amount": card.Amount, "currency": card.Currency, "balance": card.BalanceAfter,
			"entryId": card.EntryID, "channel": f.op.Channel, "reference": f.op.Reference}}
}

type transferOperation struct{ op TransferOp }

// TransferOperation is the transfer of op, to run with ApplyOnce.
func TransferOperation(op TransferOp) Operation { return transferOperation{op: op} }

func (t transferOperation) check() error {
	var v Validation
	checkAmount(&v, "amount", t.op.Amount)
	if t.op.FromCardID == t.op.ToCardID {
		v.Add("toCardId", "choose two different cards")
	}
	if t.op.CardholderID == 0 {
		v.Add("cardholderId", "a transfer needs the cardholder both cards belong to")
	}
	return v.Err()
}

func (t transferOperation) cards() (first, second int64) { return t.op.FromCardID, t.op.ToCardID }

func (t transferOperation) sees(c fundsCard) bool {
	return c.PartnerID == t.op.PartnerID && c.CardholderID.Int64 == t.op.CardholderID
}

func (t transferOperation) posting(cards map[int64]fundsCard) (Posting, error) {
	from, err := activeCard(cards, t.op.FromCardID)
	if err != nil {
		return Posting{}, err
	}
	to, err := activeCard(cards, t.op.ToCardID)
	if err != nil {
		return Posting{}, err
	}
	if from.Currency != to.Currency {
		return Posting{}, Conflict(fmt.Sprintf("the cards hold different currencies (%s and %s)", from.Currency, to.Currency))
	}
	return Posting{
		From: &Side{AccountID: from.AccountID, CardID: from.ID, Type: MovementTransferOut,
			InsufficientMessage: "the source card's balance does not cover this amount"},
		To:       &Side{AccountID: to.AccountID, CardID: to.ID, Type: MovementTransferIn},
		Amount:   t.op.Amount,
		Currency: from.Currency, Channel: ChannelCMS, Description: t.op.Description,
	}, nil
}

func (t transferOperation) event(movements []Movement) Event {
	from, to := CardSide(movements, t.op.FromCardID), CardSide(movements, t.op.ToCardID)
	return Event{PartnerID: t.op.PartnerID, Action: "card.transfer", ObjectType: "card", ObjectID: t.op.FromCardID,
		After: map[string]any{"amount": from.Amount, "currency": from.Currency, "toCardId": t.op.ToCardID,
			"fromBalance": from.BalanceAfter, "toBalance": to.BalanceAfter, "entryId": from.EntryID}}
}

// CardSide returns the movement written on the card's account among an operation's movements.
func CardSide(movements []Movement, cardID int64) Movement {
	for _, m := range movements {
		if m.CardID != nil && *m.CardID == cardID {
			return m
		}
	}
	return Movement{}
}

// Apply runs one operation with its audit row. It joins the next batch of the funds queue
// (funds_queue.go), whose transaction applies it on its own terms: its refusal is its own, and
// nothing of it is written unless all of it is.
func (s *Store) Apply(ctx context.Context, actor Actor, op Operation) ([]Movement, error) {
	if err := op.check(); err != nil {
		return nil, err
	}
	r := s.submit(&batchItem{ctx: ctx, actor: actor, op: op})
	return r.movements, r.err
}

// AddFunds loads a card from its partner's available balance and audits it.
func (s *Store) AddFunds(ctx context.Context, actor Actor, op FundsOp) ([]Movement, error) {
	return s.Apply(ctx, actor, AddFundsOperation(op))
}

// WithdrawFunds unloads a card back to its partner's available balance and audits it.
func (s *Store) WithdrawFunds(ctx context.Context, actor Actor, op FundsOp) ([]Movement, error) {
	return s.Apply(ctx, actor, WithdrawFundsOperation(op))
}

// Transfer moves money between two ACTIVE cards of one cardholder and audits it.
func (s *Store) Transfer(ctx context.Context, actor Actor, op TransferOp) ([]Movement, error) {
	return s.Apply(ctx, actor, TransferOperation(op))
}

// CardOwner is a card's partner, for the issuer API, which names cards without their partner.
type CardOwner struct {
	CardID    int64  `db:"id"`
	PartnerID int64  `db:"partner_id"`
	TimeZone  string `db:"time_zone"` // the partner's time zone, which months of statements follow
}

// IssuerCard returns a card and its partner for an issuer application: appID is the application of
// the token and publicAppID its x-application-id, which must name the same application, and the
// application must serve the card's partner. A card that does not exist and one the application
// may not see are both 7200, in one query.
func (s *Store) IssuerCard(ctx context.Context, appID int64, publicAppID string, cardID int64) (CardOwner, error) {
	var o CardOwner
	err := s.db.GetContext(ctx, &o, `
		SELECT c.id, c.partner_id, p.time_zone FROM cards c JOIN partners p ON p.id = c.partner_id
		WHERE c.id = $1 AND EXISTS (SELECT FROM applications a JOIN application_partners ap ON ap.application_id = a.id
		                            WHERE a.id = $2 AND a.application_id = $3 AND ap.partner_id = c.partner_id)`,
		cardID, appID, publicAppID)
	if errors.Is(err, sql.ErrNoRows) {
		return o, NewError(CodeCardNotFound, "card not found")
	}
	if err != nil {
		return o, fmt.Errorf("store: unable to read card: %w", err)
	}
	return o, nil
}
