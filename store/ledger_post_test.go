package store_test

import (
	"context"
	"testing"

	"github.com/shopspring/decimal"

	"cardconsole/store"
	"cardconsole/store/storetest"
)

// postingWorld is a partner with an available balance of 100 and two ACTIVE cards of one
// cardholder holding 30 (the one with the lower account id) and 0.
type postingWorld struct {
	st         *store.Store
	partner    int64
	low, high  store.Card
	partnerAcc int64
}

func newPostingWorld(t *testing.T) postingWorld {
	t.Helper()
	st := storetest.New(t)
	ctx := context.Background()
	p, err := st.CreatePartner(ctx, sys, "Ledger", "GTQ")
	if err != nil {
		t.Fatal(err)
	}
	storetest.CreditPartner(t, st, p.ID, "100")
	holder := storetest.Cardholder(t, st, p.ID)
	a, b := storetest.ActiveCard(t, st, p.ID, holder), storetest.ActiveCard(t, st, p.ID, holder)
	if b.AccountID < a.AccountID {
		a, b = b, a
	}
	w := postingWorld{st: st, partner: p.ID, low: a, high: b}
	if err := st.DB().Get(&w.partnerAcc, `SELECT id FROM accounts WHERE partner_id = $1 AND kind = 'PARTNER'`, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddFunds(ctx, sys, store.FundsOp{PartnerID: p.ID, CardID: a.ID, Amount: decimal.NewFromInt(30), Channel: "TEST"}); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w postingWorld) cardSide(c store.Card, typ string) *store.Side {
	return &store.Side{AccountID: c.AccountID, CardID: c.ID, Type: typ, InsufficientMessage: "short"}
}

// balances returns the partner's and both cards' balances, and the number of movements.
func (w postingWorld) balances(t *testing.T) (partner, low, high string, movements int) {
	t.Helper()
	get := func(id int64) string {
		var b decimal.Decimal
		if err := w.st.DB().Get(&b, `SELECT balance FROM accounts WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	if err := w.st.DB().Get(&movements, `SELECT count(*) FROM movements`); err != nil {
		t.Fatal(err)
	}
	return get(w.partnerAcc), get(w.low.AccountID), get(w.high.AccountID), movements
}

// A posting is one statement over both accounts: a short source leaves both balances as they were
// whichever of the two accounts is locked first, and the error names the source's shortfall.
func TestPostingRefusedOnEitherSideChangesNothing(t *testing.T) {
	t.Parallel()
	w := newPostingWorld(t)
	ctx := context.Background()
	p0, l0, h0, m0 := w.balances(t)
	cases := map[string]store.Posting{
		"source has the higher account id": {From: w.cardSide(w.high, store.MovementTransferOut), To: w.cardSide(w.low, store.MovementTransferIn)},
		"source has the lower account id":  {From: w.cardSide(w.low, store.MovementTransferOut), To: w.cardSide(w.high, store.MovementTransferIn)},
	}
	amounts := map[string]int64{"source has the higher account id": 1, "source has the lower account id": 31}
	for name, p := range cases {
		p.Amount, p.Currency = decimal.NewFromInt(amounts[name]), "GTQ"
		_, err := w.st.PostTx(ctx, sys, p)
		if e, ok := store.AsError(err); !ok || e.Code != store.CodeInsufficientFunds || e.Message != "short" {
			t.Fatalf("%s: err = %v, want 7303 with the source's message", name, err)
		}
		if p1, l1, h1, m1 := w.balances(t); p1 != p0 || l1 != l0 || h1 != h0 || m1 != m0 {
			t.Fatalf("%s: balances %s/%s/%s and %d movements after a refusal, want %s/%s/%s and %d", name, p1, l1, h1, m1, p0, l0, h0, m0)
		}
	}
}

func TestPostingWritesOneMovementPerAccountInAccountOrder(t *testing.T) {
	t.Parallel()
	w := newPostingWorld(t)
	ctx := context.Background()
	movements, err := w.st.PostTx(ctx, sys, store.Posting{
		From:   w.cardSide(w.low, store.MovementTransferOut),
		To:     w.cardSide(w.high, store.MovementTransferIn),
		Amount: decimal.RequireFromString("12.5"), Currency: "GTQ", Channel: "TEST", Reference: "ref", Description: "note",
		CustomKeys: []byte(`{"k":"v"}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(movements) != 2 || movements[0].AccountID != w.low.AccountID || movements[1].AccountID != w.high.AccountID {
		t.Fatalf("movements = %+v, want the lower account first", movements)
	}
	out, in := movements[0], movements[1]
	if out.Direction != "DEBIT" || out.Type != store.MovementTransferOut || !out.BalanceAfter.Equal(decimal.RequireFromString("17.5")) ||
		*out.CounterpartAccountID != w.high.AccountID || *out.CounterpartCardID != w.high.ID || *out.CardID != w.low.ID {
		t.Fatalf("debit = %+v", out)
	}
	if in.Direction != "CREDIT" || in.Type != store.MovementTransferIn || !in.BalanceAfter.Equal(decimal.RequireFromString("12.5")) ||
		*in.CounterpartAccountID != w.low.AccountID || in.EntryID != out.EntryID || in.PartnerID != w.partner {
		t.Fatalf("credit = %+v", in)
	}
	if string(in.CustomKeys) != `{"k": "v"}` || in.Reference != "ref" || in.Description != "note" || in.Channel != "TEST" || in.ActorType != store.ActorSystem {
		t.Fatalf("credit fields = %+v", in)
	}
}

func TestPostingRefusesMissingAccountsOtherCurrenciesAndOneAccountTwice(t *testing.T) {
	t.Parallel()
	w := newPostingWorld(t)
	ctx := context.Background()
	p0, l0, h0, m0 := w.balances(t)
	_, err := w.st.PostTx(ctx, sys, store.Posting{To: &store.Side{AccountID: w.high.AccountID + 1000, Type: store.MovementTopUp},
		Amount: decimal.NewFromInt(1), Currency: "GTQ"})
	if !store.IsCode(err, store.CodeNotFound) {
		t.Fatalf("credit of a missing account: %v, want not found", err)
	}
	_, err = w.st.PostTx(ctx, sys, store.Posting{To: w.cardSide(w.low, store.MovementTopUp), Amount: decimal.NewFromInt(1), Currency: "USD"})
	if e, ok := store.AsError(err); !ok || e.Code != store.CodeCheckParameters || len(e.Fields) != 1 || e.Fields[0].Field != "currency" {
		t.Fatalf("other currency: %v, want 7000 on currency", err)
	}
	_, err = w.st.PostTx(ctx, sys, store.Posting{From: w.cardSide(w.low, store.MovementTransferOut), To: w.cardSide(w.low, store.MovementTransferIn),
		Amount: decimal.NewFromInt(1), Currency: "GTQ"})
	if err == nil {
		t.Fatal("a posting from an account to itself was accepted")
	}
	if p1, l1, h1, m1 := w.balances(t); p1 != p0 || l1 != l0 || h1 != h0 || m1 != m0 {
		t.Fatalf("balances %s/%s/%s and %d movements after refusals, want %s/%s/%s and %d", p1, l1, h1, m1, p0, l0, h0, m0)
	}
}
