package store_test

import (
	"context"
	"testing"

	"github.com/shopspring/decimal"

	"cardconsole/store"
	"cardconsole/store/storetest"
)

// fundsFixture is a partner with money, a cardholder and two active cards.
type fundsFixture struct {
	st           *store.Store
	partner      int64
	holder       int64
	card, second store.Card
}

func newFunds(t *testing.T, credit string) fundsFixture {
	t.Helper()
	st := storetest.New(t)
	p, err := st.CreatePartner(context.Background(), store.SystemActor("test"), "Uno", "GTQ")
	if err != nil {
		t.Fatal(err)
	}
	if credit != "" {
		storetest.CreditPartner(t, st, p.ID, credit)
	}
	h := storetest.Cardholder(t, st, p.ID)
	return fundsFixture{st: st, partner: p.ID, holder: h,
		card: storetest.ActiveCard(t, st, p.ID, h), second: storetest.ActiveCard(t, st, p.ID, h)}
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func (f fundsFixture) balance(t *testing.T, cardID int64) decimal.Decimal {
	t.Helper()
	c, err := f.st.CardByID(context.Background(), f.partner, cardID)
	if err != nil {
		t.Fatal(err)
	}
	return c.Balance
}

func (f fundsFixture) partnerBalance(t *testing.T) decimal.Decimal {
	t.Helper()
	b, err := f.st.PartnerBalance(context.Background(), f.partner)
	if err != nil {
		t.Fatal(err)
	}
	return b.Available
}

var actor = store.SystemActor("test")

func TestLoadUnloadTransferMoveMoneyBetweenAccounts(t *testing.T) {
	t.Parallel()
	f := newFunds(t, "100")
	ctx := context.Background()
	movs, err := f.st.AddFunds(ctx, actor, store.FundsOp{PartnerID: f.partner, CardholderID: f.holder, CardID: f.card.ID,
		Amount: dec("60.5"), Channel: "CMS"})
	if err != nil {
		t.Fatal(err)
	}
	if len(movs) != 2 || !store.CardSide(movs, f.card.ID).BalanceAfter.Equal(dec("60.5")) {
		t.Fatalf("movements = %+v", movs)
	}
	if _, err := f.st.Transfer(ctx, actor, store.TransferOp{PartnerID: f.partner, CardholderID: f.holder,
		FromCardID: f.card.ID, ToCardID: f.second.ID, Amount: dec("20.25")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.WithdrawFunds(ctx, actor, store.FundsOp{PartnerID: f.partner, CardID: f.second.ID, Amount: dec("0.25")}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		got, want decimal.Decimal
	}{{f.balance(t, f.card.ID), dec("40.25")}, {f.balance(t, f.second.ID), dec("20")}, {f.partnerBalance(t), dec("39.75")}} {
		if !c.got.Equal(c.want) {
			t.Errorf("balance %s, want %s", c.got, c.want)
		}
	}
}

func TestFundsContractRefusesWhatCallersGetWrong(t *testing.T) {
	t.Parallel()
	f := newFunds(t, "100")
	ctx := context.Background()
	other := storetest.Cardholder(t, f.st, f.partner)
	cases := []struct {
		name string
		run  func() error
		code store.Code
	}{
		{"zero", func() error {
			_, err := f.st.AddFunds(ctx, actor, store.FundsOp{PartnerID: f.partner, CardID: f.card.ID, Amount: dec("0")})
			return err
		}, store.CodeGreaterThanZero},
		{"five places", func() error {
			_, err := f.st.AddFunds(ctx, actor, store.FundsOp{PartnerID: f.partner, CardID: f.card.ID, Amount: dec("1.00001")})
			return err
		}, store.CodeInvalidFormatAmount},
		{"too large for numeric(20,4)", func() error {
			_, err := f.st.AddFunds(ctx, actor, store.FundsOp{PartnerID: f.partner, CardID: f.card.ID, Amount: dec("10000000000000000")})
			return err
		}, store.CodeInvalidFormatAmount},
		{"other currency", func() error {
			_, err := f.st.AddFunds(ctx, actor, store.FundsOp{PartnerID: f.partner, CardID: f.card.ID, Amount: dec("1"), Currency: "USD"})
			return err
		}, store.CodeCheckParameters},
		{"another cardholder's card", func() error {
			_, err := f.st.WithdrawFunds(ctx, actor, store.FundsOp{PartnerID: f.partner, CardholderID: other, CardID: f.card.ID, Amount: dec("1")})
			return err
		}, store.CodeCardNotFound},
		{"another partner", func() error {
			_, err := f.st.AddFunds(ctx, actor, store.FundsOp{PartnerID: f.partner + 1, CardID: f.card.ID, Amount: dec("1")})
			return err
		}, store.CodeCardNotFound},
		{"transfer to itself", func() error {
			_, err := f.st.Transfer(ctx, actor, store.TransferOp{PartnerID: f.partner, CardholderID: f.holder, FromCardID: f.card.ID, ToCardID: f.card.ID, Amount: dec("1")})
			return err
		}, store.CodeCheckParameters},
		{"transfer without the cardholder", func() error {
			_, err := f.st.Transfer(ctx, actor, store.TransferOp{PartnerID: f.partner, FromCardID: f.card.ID, ToCardID: f.second.ID, Amount: dec("1")})
			return err
		}, store.CodeCheckParameters},
	}
	for _, tc := range cases {
		if err := tc.run(); !store.IsCode(err, tc.code) {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	// The currency, when given, may be the card's own.
	if _, err := f.st.AddFunds(ctx, actor, store.FundsOp{PartnerID: f.partner, CardID: f.card.ID, Amount: dec("1"), Currency: "GTQ"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.DB().ExecContext(ctx, `UPDATE cards SET status = 'BLOCKED' WHERE id = $1`, f.second.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.Transfer(ctx, actor, store.TransferOp{PartnerID: f.partner, CardholderID: f.holder, FromCardID: f.card.ID,
		ToCardID: f.second.ID, Amount: dec("1")}); !store.IsCode(err, store.CodeInvalidStatusCard) {
		t.Fatalf("transfer to a blocked card: %v", err)
	}
	checkLedger(t, f.st)
}
