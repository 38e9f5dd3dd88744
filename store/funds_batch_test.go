package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"cardconsole/store"
	"cardconsole/store/storetest"
)

// keptReply answers a keyed operation with its status only: 200 when it applied, 422 when refused.
func keptReply(_ []store.Movement, refusal *store.Error) (store.Reply, error) {
	if refusal != nil {
		return store.Reply{Status: 422, Body: []byte(`{"code":"` + string(refusal.Code) + `"}`)}, nil
	}
	return store.Reply{Status: 200, Body: []byte(`{}`)}, nil
}

func TestOneBatchKeepsEachOperationsOwnOutcome(t *testing.T) {
	t.Parallel()
	f := newFunds(t, "100")
	ctx := context.Background()
	blocked := storetest.ActiveCard(t, f.st, f.partner, f.holder)
	if _, err := f.st.ChangeCardStatus(ctx, actor, f.partner, f.holder, blocked.ID, store.BlockCard); err != nil {
		t.Fatal(err)
	}
	other, err := f.st.CreatePartner(ctx, actor, "Dos", "GTQ")
	if err != nil {
		t.Fatal(err)
	}
	storetest.CreditPartner(t, f.st, other.ID, "50")
	foreign := storetest.ActiveCard(t, f.st, other.ID, storetest.Cardholder(t, f.st, other.ID))
	load := func(card int64, amount string) store.Operation {
		return store.AddFundsOperation(store.FundsOp{PartnerID: f.partner, CardID: card, Amount: dec(amount)})
	}
	unload := func(card int64, amount string) store.Operation {
		return store.WithdrawFundsOperation(store.FundsOp{PartnerID: f.partner, CardID: card, Amount: dec(amount)})
	}
	key := func(k string) *store.Once {
		return &store.Once{Scope: store.ApplicationScope(1), Key: k, Fingerprint: []byte(k)}
	}
	out := f.st.ApplyInOneBatch(actor, []store.BatchOp{
		{Op: load(f.card.ID, "30")},                                       // 0 applies
		{Op: unload(f.second.ID, "50")},                                   // 1 7303: the second card is empty
		{Op: load(blocked.ID, "5")},                                       // 2 7213: blocked
		{Op: unload(f.card.ID, "10")},                                     // 3 applies on what 0 loaded
		{Op: load(f.card.ID, "60"), Once: key("K-1"), Reply: keptReply},   // 4 applies, reply kept
		{Op: load(f.second.ID, "21"), Once: key("K-2"), Reply: keptReply}, // 5 7303: the partner has 20 left, refusal kept
		{Op: load(foreign.ID, "1"), Once: key("K-3"), Reply: keptReply},   // 6 7200: another partner's card, not kept
		{Op: store.TransferOperation(store.TransferOp{PartnerID: f.partner, CardholderID: f.holder,
			FromCardID: f.card.ID, ToCardID: f.second.ID, Amount: dec("80")})}, // 7 applies
	})
	wantCode := func(i int, code store.Code) {
		t.Helper()
		if !store.IsCode(out[i].Err, code) {
			t.Errorf("operation %d: %v, want %s", i, out[i].Err, code)
		}
	}
	for _, i := range []int{0, 3, 7} {
		if out[i].Err != nil || len(out[i].Movements) != 2 {
			t.Errorf("operation %d: %v, %d movements", i, out[i].Err, len(out[i].Movements))
		}
	}
	wantCode(1, store.CodeInsufficientFunds)
	wantCode(2, store.CodeInvalidStatusCard)
	wantCode(6, store.CodeCardNotFound)
	if out[4].Err != nil || out[4].Reply.Status != 200 || out[4].Replayed {
		t.Errorf("keyed load: %+v", out[4])
	}
	if out[5].Err != nil || out[5].Reply.Status != 422 || string(out[5].Reply.Body) != `{"code":"7303"}` {
		t.Errorf("keyed refusal: %+v", out[5])
	}
	if b := f.balance(t, f.card.ID); !b.Equal(dec("0")) {
		t.Errorf("card balance %s, want 30 - 10 + 60 - 80 = 0", b)
	}
	if b := f.balance(t, f.second.ID); !b.Equal(dec("80")) {
		t.Errorf("second card balance %s, want 80", b)
	}
	if b := f.partnerBalance(t); !b.Equal(dec("20")) {
		t.Errorf("partner balance %s, want 20", b)
	}
	var keys []string
	if err := f.st.DB().SelectContext(ctx, &keys, `SELECT key FROM idempotency_keys ORDER BY key`); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || keys[0] != "K-1" || keys[1] != "K-2" {
		t.Errorf("kept keys %v, want K-1 and K-2 (a card the caller may not see is not kept)", keys)
	}
	var audited int
	if err := f.st.DB().GetContext(ctx, &audited, `SELECT count(*) FROM audit_log WHERE action IN ('card.add_funds', 'card.withdraw_funds', 'card.transfer')`); err != nil {
		t.Fatal(err)
	}
	if audited != 4 {
		t.Errorf("%d audit rows, want one per applied operation (4)", audited)
	}

	// The kept reply answers a repeat, in a later batch, and moves nothing.
	again := f.st.ApplyInOneBatch(actor, []store.BatchOp{{Op: load(f.card.ID, "60"), Once: key("K-1"), Reply: keptReply}})
	if again[0].Err != nil || !again[0].Replayed || again[0].Reply.Status != 200 {
		t.Errorf("repeat: %+v", again[0])
	}
	if b := f.balance(t, f.card.ID); !b.Equal(dec("0")) {
		t.Errorf("card balance %s after the repeat", b)
	}
	checkLedger(t, f.st)
}

func TestDatabaseRefusalInABatchFailsOnlyItsOperation(t *testing.T) {
	t.Parallel()
	f := newFunds(t, "9999999999999990")
	ctx := context.Background()
	if _, err := f.st.AddFunds(ctx, actor, store.FundsOp{PartnerID: f.partner, CardID: f.second.ID, Amount: dec("9999999999999000")}); err != nil {
		t.Fatal(err)
	}
	storetest.CreditPartner(t, f.st, f.partner, "2000")
	out := f.st.ApplyInOneBatch(actor, []store.BatchOp{
		{Op: store.AddFundsOperation(store.FundsOp{PartnerID: f.partner, CardID: f.card.ID, Amount: dec("5")})},
		// The card's balance would no longer fit numeric(20,4): PostgreSQL refuses the batch.
		{Op: store.AddFundsOperation(store.FundsOp{PartnerID: f.partner, CardID: f.second.ID, Amount: dec("1000")})},
		{Op: store.WithdrawFundsOperation(store.FundsOp{PartnerID: f.partner, CardID: f.second.ID, Amount: dec("1")})},
	})
	if out[0].Err != nil || out[2].Err != nil {
		t.Fatalf("the operations beside the refused one failed: %v, %v", out[0].Err, out[2].Err)
	}
	if out[1].Err == nil {
		t.Fatal("an overflowing balance was accepted")
	}
	if _, business := store.AsError(out[1].Err); business {
		t.Fatalf("a database refusal was answered as a business error: %v", out[1].Err)
	}
	if b := f.balance(t, f.card.ID); !b.Equal(dec("5")) {
		t.Errorf("card balance %s, want 5", b)
	}
	if b := f.balance(t, f.second.ID); !b.Equal(dec("9999999999998999")) {
		t.Errorf("second card balance %s, want 9999999999998999", b)
	}
	checkLedger(t, f.st)
}

func TestFundsOperationOfAGoneCallerIsNotApplied(t *testing.T) {
	t.Parallel()
	f := newFunds(t, "100")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.st.AddFunds(ctx, actor, store.FundsOp{PartnerID: f.partner, CardID: f.card.ID, Amount: dec("1")}); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if b := f.balance(t, f.card.ID); !b.IsZero() {
		t.Fatalf("card balance %s", b)
	}
}

func TestClosedStoreAnswersFundsOperations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := store.Open(ctx, storetest.NewURL(t))
	if err != nil {
		t.Fatal(err)
	}
	op := store.FundsOp{PartnerID: 1, CardID: 1, Amount: dec("1")}
	if _, err := st.AddFunds(ctx, actor, op); !store.IsCode(err, store.CodeCardNotFound) {
		t.Fatalf("open store: %v, want 7200", err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddFunds(ctx, actor, op); err == nil {
		t.Fatal("a closed store applied an operation")
	}
}

func TestTwoInstancesApplyOneKeyOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := storetest.NewURL(t)
	var stores [2]*store.Store
	for i := range stores {
		st, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		stores[i] = st
	}
	p, err := stores[0].CreatePartner(ctx, actor, "Uno", "GTQ")
	if err != nil {
		t.Fatal(err)
	}
	storetest.CreditPartner(t, stores[0], p.ID, "100")
	card := storetest.ActiveCard(t, stores[0], p.ID, storetest.Cardholder(t, stores[0], p.ID))
	once := store.Once{Scope: store.ApplicationScope(1), Key: "TWO-INSTANCES", Fingerprint: []byte("fp")}
	op := store.AddFundsOperation(store.FundsOp{PartnerID: p.ID, CardID: card.ID, Amount: dec("7")})
	const n = 40
	var wg sync.WaitGroup
	replies := make([]store.Reply, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			replies[i], _, errs[i] = stores[i%2].ApplyOnce(ctx, actor, once, op, keptReply)
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || replies[i].Status != 200 {
			t.Fatalf("request %d: %v %+v", i, errs[i], replies[i])
		}
	}
	var movements int
	if err := stores[0].DB().GetContext(ctx, &movements, `SELECT count(*) FROM movements WHERE card_id = $1`, card.ID); err != nil {
		t.Fatal(err)
	}
	if movements != 1 {
		t.Fatalf("%d movements on the card, want 1", movements)
	}
	checkLedger(t, stores[0])
}

func TestBatchBegunOnALostConnectionRunsOnAFreshOne(t *testing.T) {
	t.Parallel()
	f := newFunds(t, "100")
	ctx := context.Background()
	tx, err := f.st.DB().BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	if err := tx.GetContext(ctx, &pid, `SELECT pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.DB().ExecContext(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	for gone := false; !gone; {
		if err := f.st.DB().GetContext(ctx, &gone, `SELECT NOT EXISTS (SELECT FROM pg_stat_activity WHERE pid = $1)`, pid); err != nil {
			t.Fatal(err)
		}
	}
	out := f.st.ApplyInOneBatchBegun(actor, []store.BatchOp{
		{Op: store.AddFundsOperation(store.FundsOp{PartnerID: f.partner, CardID: f.card.ID, Amount: dec("5")})},
	}, tx)
	if out[0].Err != nil {
		t.Fatalf("a batch whose transaction begun in advance lost its connection failed: %v", out[0].Err)
	}
	if b := f.balance(t, f.card.ID); !b.Equal(dec("5")) {
		t.Fatalf("card balance %s, want 5", b)
	}
	checkLedger(t, f.st)
}
