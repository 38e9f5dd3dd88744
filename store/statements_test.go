package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"cardconsole/store"
	"cardconsole/store/storetest"
)

var guatemala = func() *time.Location {
	loc, err := time.LoadLocation("America/Guatemala")
	if err != nil {
		panic(err)
	}
	return loc
}()

type statementFixture struct {
	st      *store.Store
	partner int64
	holder  int64
	card    store.Card
}

func newStatementFixture(t *testing.T) statementFixture {
	t.Helper()
	st := storetest.New(t)
	p, err := st.CreatePartner(context.Background(), store.SystemActor("test"), "Café Quetzal", "GTQ")
	if err != nil {
		t.Fatal(err)
	}
	holder := storetest.Cardholder(t, st, p.ID)
	storetest.CreditPartner(t, st, p.ID, "10000")
	return statementFixture{st: st, partner: p.ID, holder: holder, card: storetest.ActiveCard(t, st, p.ID, holder)}
}

func (fx statementFixture) collect(t *testing.T, f store.StatementFilter) (store.StatementTotals, []store.MovementRow) {
	t.Helper()
	var totals store.StatementTotals
	var lines []store.MovementRow
	err := fx.st.StatementMovements(context.Background(), f,
		func(tt store.StatementTotals) error { totals = tt; return nil },
		func(l store.MovementRow) error { lines = append(lines, l); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return totals, lines
}

func gt(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, guatemala)
}

func TestStatementTotalsFollowThePartnersCalendar(t *testing.T) {
	t.Parallel()
	fx := newStatementFixture(t)
	mv := func(amount string, at time.Time, ref string) {
		storetest.CardMovementAt(t, fx.st, fx.card, amount, at, ref, "nota")
	}
	mv("100", gt(2026, 2, 27, 9, 0), "before")
	mv("50.0001", gt(2026, 2, 28, 23, 59), "feb-last-minute") // 2026-03-01 05:59 UTC: still February here
	mv("20", gt(2026, 3, 1, 0, 0), "march-first-instant")
	mv("-30.5", gt(2026, 3, 15, 12, 0), "mid-march")
	mv("7.25", gt(2026, 3, 31, 23, 59), "march-last-minute") // 2026-04-01 05:59 UTC
	mv("1", gt(2026, 4, 1, 0, 0), "april")

	totals, lines := fx.collect(t, store.StatementFilter{MovementFilter: store.MovementFilter{PartnerID: fx.partner, CardID: fx.card.ID, From: "2026-03-01", To: "2026-03-31"}})
	d := decimal.RequireFromString
	if !totals.Opening.Equal(d("150.0001")) || !totals.Credits.Equal(d("27.25")) || !totals.Debits.Equal(d("30.5")) ||
		!totals.Closing.Equal(d("146.7501")) || totals.CreditCount != 2 || totals.DebitCount != 1 {
		t.Fatalf("totals %+v", totals)
	}
	if !totals.Opening.Add(totals.Credits).Sub(totals.Debits).Equal(totals.Closing) {
		t.Fatal("totals do not add up")
	}
	var refs []string
	for _, l := range lines {
		refs = append(refs, l.Reference)
	}
	if len(refs) != 3 || refs[0] != "march-first-instant" || refs[1] != "mid-march" || refs[2] != "march-last-minute" {
		t.Fatalf("March lists %v", refs)
	}
	if !lines[2].BalanceAfter.Equal(totals.Closing) {
		t.Fatalf("last running balance %s, closing %s", lines[2].BalanceAfter, totals.Closing)
	}

	// An empty period: opening equals closing, no rows.
	totals, lines = fx.collect(t, store.StatementFilter{MovementFilter: store.MovementFilter{PartnerID: fx.partner, CardID: fx.card.ID, From: "2026-03-16", To: "2026-03-30"}})
	if len(lines) != 0 || totals.Count() != 0 || !totals.Opening.Equal(d("139.5001")) || !totals.Closing.Equal(totals.Opening) {
		t.Fatalf("empty period: %+v %d rows", totals, len(lines))
	}
}

func TestStatementSortsAndPages(t *testing.T) {
	t.Parallel()
	fx := newStatementFixture(t)
	for i, amt := range []string{"5", "40", "12", "-3", "9"} {
		storetest.CardMovementAt(t, fx.st, fx.card, amt, gt(2026, 5, 1+i, 10, 0), "r"+amt, "")
	}
	f := store.StatementFilter{MovementFilter: store.MovementFilter{PartnerID: fx.partner, CardID: fx.card.ID, From: "2026-05-01",
		To: "2026-05-31", SortBy: "amount", SortOrder: "desc", Page: store.Page{Number: 2, Limit: 2}}, Paged: true}
	totals, lines := fx.collect(t, f)
	if totals.Count() != 5 || len(lines) != 2 || lines[0].Reference != "r9" || lines[1].Reference != "r5" {
		t.Fatalf("page 2 by amount desc: %d of %d: %v %v", len(lines), totals.Count(), lines[0].Reference, lines[1].Reference)
	}
}

func TestStatementFilterIsValidated(t *testing.T) {
	t.Parallel()
	cases := map[string]store.MovementFilter{
		"from":      {To: "2026-03-31"},
		"to":        {From: "2026-03-01", To: "31/03/2026"},
		"sortBy":    {From: "2026-03-01", To: "2026-03-31", SortBy: "reference; DROP TABLE movements"},
		"sortOrder": {From: "2026-03-01", To: "2026-03-31", SortOrder: "sideways"},
	}
	for field, mf := range cases {
		f := store.StatementFilter{MovementFilter: mf}
		if errs := store.FieldErrors(f.Validate()); errs[field] == "" {
			t.Errorf("%s: no error on %s (%v)", field, field, errs)
		}
	}
	inverted := store.StatementFilter{MovementFilter: store.MovementFilter{From: "2026-03-31", To: "2026-03-01"}}
	if errs := store.FieldErrors(inverted.Validate()); errs["to"] != "to must not be before from" {
		t.Errorf("inverted range: %v", errs)
	}
	if errs := store.FieldErrors((&store.StatementFilter{}).Validate()); errs["from"] == "" || errs["to"] == "" {
		t.Errorf("a statement without a period: %v", errs)
	}
	ok := store.StatementFilter{MovementFilter: store.MovementFilter{From: "2026-03-01", To: "2026-03-01"}}
	if err := ok.Validate(); err != nil || ok.SortBy != "createdAt" || ok.SortOrder != "asc" {
		t.Errorf("one-day period: %v %+v", err, ok)
	}
}

func TestStatementRefusesALedgerThatDoesNotBalance(t *testing.T) {
	t.Parallel()
	fx := newStatementFixture(t)
	storetest.CardMovementAt(t, fx.st, fx.card, "10", gt(2026, 3, 2, 10, 0), "a", "")
	m := storetest.CardMovementAt(t, fx.st, fx.card, "5", gt(2026, 3, 3, 10, 0), "b", "")
	if _, err := fx.st.DB().Exec(`UPDATE movements SET balance_after = balance_after + 0.0001 WHERE id = $1`, m.ID); err != nil {
		t.Fatal(err)
	}
	began := false
	err := fx.st.StatementMovements(context.Background(),
		store.StatementFilter{MovementFilter: store.MovementFilter{PartnerID: fx.partner, CardID: fx.card.ID, From: "2026-03-01", To: "2026-03-31"}},
		func(store.StatementTotals) error { began = true; return nil }, func(store.MovementRow) error { return nil })
	if err == nil || began {
		t.Fatalf("a tampered ledger produced a statement (began %v, err %v)", began, err)
	}
	if _, isBusiness := store.AsError(err); isBusiness {
		t.Fatalf("an unbalanced ledger is an internal error, not %v", err)
	}
}

func TestStatementSubjectIsTheCardholdersCardOfThePartner(t *testing.T) {
	t.Parallel()
	fx := newStatementFixture(t)
	ctx := context.Background()
	s, err := fx.st.StatementSubjectOf(ctx, fx.partner, fx.holder, fx.card.ID)
	if err != nil || s.HolderName != "Ana Pérez" || s.PartnerName != "Café Quetzal" || s.TimeZone != "America/Guatemala" || s.Card.Last4 != fx.card.Last4 {
		t.Fatalf("subject %+v (%v)", s, err)
	}
	other := storetest.Cardholder(t, fx.st, fx.partner)
	if _, err := fx.st.StatementSubjectOf(ctx, fx.partner, other, fx.card.ID); !store.IsCode(err, store.CodeCardNotFound) {
		t.Fatalf("another cardholder's card: %v", err)
	}
	p2, _ := fx.st.CreatePartner(ctx, store.SystemActor("test"), "Otro", "GTQ")
	if _, err := fx.st.StatementSubjectOf(ctx, p2.ID, fx.holder, fx.card.ID); !store.IsCode(err, store.CodeCardNotFound) {
		t.Fatalf("another partner's card: %v", err)
	}
}

func TestCardHistoryKeepsTheLedgerConsistent(t *testing.T) {
	t.Parallel()
	fx := newStatementFixture(t)
	storetest.CardHistory(t, fx.st, fx.card, 1000, gt(2025, 1, 1, 0, 0), 5*time.Hour)
	totals, lines := fx.collect(t, store.StatementFilter{MovementFilter: store.MovementFilter{PartnerID: fx.partner, CardID: fx.card.ID, From: "2025-01-01", To: "2025-12-31"}})
	if totals.Count() != 1000 || len(lines) != 1000 {
		t.Fatalf("%d movements", totals.Count())
	}
	var card, partner, cardSum, partnerSum decimal.Decimal
	db := fx.st.DB()
	if err := db.Get(&card, `SELECT balance FROM accounts WHERE id = $1`, fx.card.AccountID); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&cardSum, `SELECT sum(CASE WHEN direction = 'CREDIT' THEN amount ELSE -amount END) FROM movements WHERE account_id = $1`, fx.card.AccountID); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&partner, `SELECT balance FROM accounts WHERE partner_id = $1 AND kind = 'PARTNER'`, fx.partner); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&partnerSum, `SELECT sum(CASE WHEN direction = 'CREDIT' THEN amount ELSE -amount END) FROM movements WHERE partner_id = $1 AND card_id IS NULL`, fx.partner); err != nil {
		t.Fatal(err)
	}
	if !card.Equal(cardSum) || !partner.Equal(partnerSum) || !card.Equal(totals.Closing) || !lines[999].BalanceAfter.Equal(card) {
		t.Fatalf("card %s (movements %s, closing %s), partner %s (movements %s)", card, cardSum, totals.Closing, partner, partnerSum)
	}
}
