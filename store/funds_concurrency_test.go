package store_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"cardconsole/store"
	"cardconsole/store/storetest"
)

// mixDuration bounds the random-mix test; the default keeps the suite quick, and
// `go test ./store -run TestRandomMix -funds.duration=1m` runs the minute-long proof.
var mixDuration = flag.Duration("funds.duration", 3*time.Second, "how long TestRandomMixConservesMoney hammers the ledger")

func TestFiftyParallelWithdrawalsExactlyKSucceed(t *testing.T) {
	t.Parallel()
	f := newFunds(t, "1000")
	ctx := context.Background()
	const n, k = 50, 17
	if _, err := f.st.AddFunds(ctx, actor, store.FundsOp{PartnerID: f.partner, CardID: f.card.ID, Amount: dec("51")}); err != nil {
		t.Fatal(err)
	}
	var ok, short atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := f.st.WithdrawFunds(ctx, actor, store.FundsOp{PartnerID: f.partner, CardholderID: f.holder, CardID: f.card.ID, Amount: dec("3")})
			switch {
			case err == nil:
				ok.Add(1)
			case store.IsCode(err, store.CodeInsufficientFunds):
				short.Add(1)
			default:
				t.Errorf("withdrawal: %v", err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if ok.Load() != k || short.Load() != n-k {
		t.Fatalf("%d succeeded and %d were 7303, want %d and %d", ok.Load(), short.Load(), k, n-k)
	}
	if b := f.balance(t, f.card.ID); !b.IsZero() {
		t.Fatalf("card balance %s, want 0", b)
	}
	if b := f.partnerBalance(t); !b.Equal(dec("1000")) {
		t.Fatalf("partner balance %s, want 1000", b)
	}
	checkLedger(t, f.st)

	// The same on the partner's side: loads covering k of them.
	g := newFunds(t, "34")
	ok.Store(0)
	short.Store(0)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := g.st.AddFunds(ctx, actor, store.FundsOp{PartnerID: g.partner, CardID: g.card.ID, Amount: dec("2")})
			switch {
			case err == nil:
				ok.Add(1)
			case store.IsCode(err, store.CodeInsufficientFunds):
				short.Add(1)
			default:
				t.Errorf("load: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != k || short.Load() != n-k {
		t.Fatalf("loads: %d succeeded and %d were 7303, want %d and %d", ok.Load(), short.Load(), k, n-k)
	}
	checkLedger(t, g.st)
}

func TestCrossingTransfersNeverDeadlock(t *testing.T) {
	t.Parallel()
	f := newFunds(t, "20000")
	ctx := context.Background()
	for _, c := range []int64{f.card.ID, f.second.ID} {
		if _, err := f.st.AddFunds(ctx, actor, store.FundsOp{PartnerID: f.partner, CardID: c, Amount: dec("5000")}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for i := range 16 {
		from, to := f.card.ID, f.second.ID
		if i%2 == 1 {
			from, to = to, from
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 40 {
				_, err := f.st.Transfer(ctx, actor, store.TransferOp{PartnerID: f.partner, CardholderID: f.holder,
					FromCardID: from, ToCardID: to, Amount: dec("1.5")})
				if err != nil {
					t.Errorf("transfer %d→%d: %v", from, to, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, c := range []int64{f.card.ID, f.second.ID} {
		if b := f.balance(t, c); !b.Equal(dec("5000")) {
			t.Errorf("card %d balance %s, want 5000", c, b)
		}
	}
	checkLedger(t, f.st)
}

// mixWorld is two partners in two currencies, each with cardholders holding several active cards.
type mixWorld struct {
	st      *store.Store
	holders []mixHolder
}

type mixHolder struct {
	partner, holder int64
	cards           []int64
}

func TestRandomMixConservesMoney(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := context.Background()
	w := mixWorld{st: st}
	for _, cur := range []string{"GTQ", "USD"} {
		p, err := st.CreatePartner(ctx, actor, "Mix "+cur, cur)
		if err != nil {
			t.Fatal(err)
		}
		storetest.CreditPartner(t, st, p.ID, "5000")
		for range 3 {
			h := mixHolder{partner: p.ID, holder: storetest.Cardholder(t, st, p.ID)}
			for range 3 {
				h.cards = append(h.cards, storetest.ActiveCard(t, st, p.ID, h.holder).ID)
			}
			w.holders = append(w.holders, h)
		}
	}
	deadline := time.Now().Add(*mixDuration)
	var applied, refused, replays atomic.Int64
	var wg sync.WaitGroup
	for worker := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(worker), uint64(time.Now().UnixNano())))
			for time.Now().Before(deadline) {
				replayed, err := w.randomOperation(ctx, rng)
				switch {
				case err == nil && replayed:
					replays.Add(1)
				case err == nil:
					applied.Add(1)
				case store.IsCode(err, store.CodeInsufficientFunds), store.IsCode(err, store.CodeInvalidStatusCard):
					refused.Add(1)
				default:
					t.Errorf("operation failed: %v", err)
					return
				}
			}
		}()
	}
	// Meanwhile cards get blocked and unblocked, as an operator would.
	wg.Add(1)
	go func() {
		defer wg.Done()
		rng := rand.New(rand.NewPCG(99, 7))
		for time.Now().Before(deadline) {
			h := w.holders[rng.IntN(len(w.holders))]
			if _, err := st.DB().ExecContext(ctx, `UPDATE cards SET status = CASE status WHEN 'ACTIVE' THEN 'BLOCKED' ELSE 'ACTIVE' END,
				updated_at = now() WHERE id = $1`, h.cards[rng.IntN(len(h.cards))]); err != nil {
				t.Errorf("toggle card: %v", err)
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	wg.Wait()
	t.Logf("%s: %d applied, %d refused (7303/7213), %d idempotent replays", *mixDuration, applied.Load(), refused.Load(), replays.Load())
	if applied.Load() == 0 {
		t.Fatal("nothing applied")
	}
	checkLedger(t, st)
	// Money is conserved: per currency, all balances together are exactly what was credited.
	var rows []struct {
		Currency string          `db:"currency"`
		Total    decimal.Decimal `db:"total"`
		TopUps   decimal.Decimal `db:"topups"`
	}
	err := st.DB().SelectContext(ctx, &rows, `
		SELECT a.currency, SUM(a.balance) AS total,
		       (SELECT COALESCE(SUM(amount), 0) FROM movements m WHERE m.type = 'TOP_UP' AND m.currency = a.currency) AS topups
		FROM accounts a GROUP BY a.currency`)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if !r.Total.Equal(r.TopUps) || !r.Total.Equal(dec("5000")) {
			t.Errorf("%s: balances total %s, top-ups %s, want 5000", r.Currency, r.Total, r.TopUps)
		}
	}
	// Every operation is one debit and one credit of the same amount.
	var unbalanced int
	if err := st.DB().GetContext(ctx, &unbalanced, `
		SELECT count(*) FROM (
		    SELECT entry_id FROM movements WHERE type <> 'TOP_UP' GROUP BY entry_id
		    HAVING count(*) <> 2 OR SUM(CASE direction WHEN 'CREDIT' THEN amount ELSE -amount END) <> 0
		       OR count(*) FILTER (WHERE direction = 'DEBIT') <> 1) e`); err != nil {
		t.Fatal(err)
	}
	if unbalanced != 0 {
		t.Fatalf("%d entries are not one debit and one credit of the same amount", unbalanced)
	}
}

// randomOperation runs a load, an unload or a transfer on random cards with a random amount of up to
// four decimals; one operation in eight goes through ApplyOnce with a reference that other workers
// may be using at the same moment.
func (w mixWorld) randomOperation(ctx context.Context, rng *rand.Rand) (replayed bool, err error) {
	h := w.holders[rng.IntN(len(w.holders))]
	card := h.cards[rng.IntN(len(h.cards))]
	amount := decimal.New(rng.Int64N(500000)+1, -4) // 0.0001 .. 50.0000
	var op store.Operation
	switch rng.IntN(3) {
	case 0:
		op = store.AddFundsOperation(store.FundsOp{PartnerID: h.partner, CardID: card, Amount: amount})
	case 1:
		op = store.WithdrawFundsOperation(store.FundsOp{PartnerID: h.partner, CardholderID: h.holder, CardID: card, Amount: amount})
	default:
		to := h.cards[rng.IntN(len(h.cards))]
		for to == card {
			to = h.cards[rng.IntN(len(h.cards))]
		}
		op = store.TransferOperation(store.TransferOp{PartnerID: h.partner, CardholderID: h.holder, FromCardID: card, ToCardID: to, Amount: amount})
	}
	if rng.IntN(8) > 0 {
		_, err = w.st.Apply(ctx, actor, op)
		return false, err
	}
	// Shared references whose fingerprint is the reference itself: the first use decides, and every
	// later use, concurrent or not, replays its outcome without moving money.
	ref := fmt.Sprintf("mix-%d", rng.IntN(64))
	_, replayed, err = w.st.ApplyOnce(ctx, actor, store.Once{Scope: store.ApplicationScope(1), Key: ref, Fingerprint: []byte(ref)}, op,
		func(_ []store.Movement, refusal *store.Error) (store.Reply, error) {
			if refusal != nil {
				return store.Reply{Status: 422, Body: []byte(`{"refused":true}`)}, nil
			}
			return store.Reply{Status: 200, Body: []byte(`{}`)}, nil
		})
	return replayed, err
}

// checkLedger fails unless every account's balance equals the sum of its movements and the balance
// after its last movement, no balance is negative, movement times follow the ledger's order, and
// every movement's counterpart is the other movement of its entry.
func checkLedger(t *testing.T, st *store.Store) {
	t.Helper()
	var bad []struct {
		ID      int64           `db:"id"`
		Balance decimal.Decimal `db:"balance"`
		Sum     decimal.Decimal `db:"sum"`
		Last    decimal.Decimal `db:"last"`
	}
	err := st.DB().SelectContext(context.Background(), &bad, `
		SELECT a.id, a.balance,
		       COALESCE((SELECT SUM(CASE m.direction WHEN 'CREDIT' THEN m.amount ELSE -m.amount END) FROM movements m WHERE m.account_id = a.id), 0) AS sum,
		       COALESCE((SELECT l.balance_after FROM movements l WHERE l.account_id = a.id ORDER BY l.id DESC LIMIT 1), 0) AS last
		FROM accounts a`)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range bad {
		if !a.Balance.Equal(a.Sum) || !a.Balance.Equal(a.Last) || a.Balance.IsNegative() {
			t.Errorf("account %d: balance %s, sum of movements %s, last balance_after %s", a.ID, a.Balance, a.Sum, a.Last)
		}
	}
	// The ledger order (ids) and the movement times agree per account, which statements rely on.
	var disordered int
	if err := st.DB().GetContext(context.Background(), &disordered, `
		SELECT count(*) FROM (SELECT created_at < lag(created_at) OVER (PARTITION BY account_id ORDER BY id) AS back FROM movements) x
		WHERE back`); err != nil {
		t.Fatal(err)
	}
	if disordered != 0 {
		t.Errorf("%d movements are timed before an earlier movement of their account", disordered)
	}
	// A movement's counterpart is the other movement of its entry: its account and its card.
	var strays int
	if err := st.DB().GetContext(context.Background(), &strays, `
		SELECT count(*) FROM movements m WHERE m.counterpart_account_id IS NOT NULL AND NOT EXISTS (
		    SELECT FROM movements o WHERE o.entry_id = m.entry_id AND o.id <> m.id
		      AND o.account_id = m.counterpart_account_id AND o.card_id IS NOT DISTINCT FROM m.counterpart_card_id
		      AND m.account_id = o.counterpart_account_id)`); err != nil {
		t.Fatal(err)
	}
	if strays != 0 {
		t.Errorf("%d movements name a counterpart that is not their entry's other movement", strays)
	}
}

var errNotWaiting = errors.New("no backend is waiting for a lock")

// waitForLockWaiter returns the pid of a backend of this database waiting for a lock.
func waitForLockWaiter(ctx context.Context, st *store.Store) (int, error) {
	for range 500 {
		var pid int
		err := st.DB().GetContext(ctx, &pid, `SELECT COALESCE(MIN(pid), 0) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`)
		if err != nil {
			return 0, err
		}
		if pid != 0 {
			return pid, nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return 0, errNotWaiting
}

func TestDeadlockIsRetriedInsideTheStore(t *testing.T) {
	t.Parallel()
	f := newFunds(t, "100")
	ctx := context.Background()
	var cardAccount, partnerAccount int64
	if err := f.st.DB().GetContext(ctx, &cardAccount, `SELECT account_id FROM cards WHERE id = $1`, f.card.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.st.DB().GetContext(ctx, &partnerAccount, `SELECT id FROM accounts WHERE partner_id = $1 AND kind = 'PARTNER'`, f.partner); err != nil {
		t.Fatal(err)
	}
	storeWasVictim := false
	for attempt := 0; attempt < 3 && !storeWasVictim; attempt++ {
		conn, err := f.st.DB().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		// The intruder holds the card's account, so the load waits on it after debiting the partner.
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET updated_at = now() WHERE id = $1`, cardAccount); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			_, err := f.st.AddFunds(ctx, actor, store.FundsOp{PartnerID: f.partner, CardID: f.card.ID, Amount: dec("1")})
			done <- err
		}()
		if _, err := waitForLockWaiter(ctx, f.st); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond) // the load has waited longest, so its deadlock check runs first
		// Now the intruder wants the partner's account: a cycle. PostgreSQL aborts one side.
		_, ierr := tx.ExecContext(ctx, `UPDATE accounts SET updated_at = now() WHERE id = $1`, partnerAccount)
		if ierr == nil {
			storeWasVictim = true
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
		} else {
			_ = tx.Rollback()
		}
		conn.Close()
		if err := <-done; err != nil {
			t.Fatalf("the load answered %v; a deadlock must be retried, never answered", err)
		}
	}
	if !storeWasVictim {
		t.Fatal("PostgreSQL never chose the store's transaction as the deadlock victim")
	}
	checkLedger(t, f.st)
}

func TestKilledConnectionLeavesNothingHalfWritten(t *testing.T) {
	t.Parallel()
	f := newFunds(t, "100")
	ctx := context.Background()
	var cardAccount int64
	if err := f.st.DB().GetContext(ctx, &cardAccount, `SELECT account_id FROM cards WHERE id = $1`, f.card.ID); err != nil {
		t.Fatal(err)
	}
	count := func(q string) int {
		var n int
		if err := f.st.DB().GetContext(ctx, &n, q); err != nil {
			t.Fatal(err)
		}
		return n
	}
	movementsBefore, auditBefore := count(`SELECT count(*) FROM movements`), count(`SELECT count(*) FROM audit_log`)
	once := store.Once{Scope: store.ApplicationScope(1), Key: "killed-1", Fingerprint: []byte("fp")}
	reply := func(_ []store.Movement, refusal *store.Error) (store.Reply, error) {
		if refusal != nil {
			return store.Reply{Status: 422, Body: []byte(`{}`)}, nil
		}
		return store.Reply{Status: 200, Body: []byte(`{"ok":true}`)}, nil
	}
	for _, name := range []string{"plain load", "load under a reference"} {
		conn, err := f.st.DB().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET updated_at = now() WHERE id = $1`, cardAccount); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		op := store.FundsOp{PartnerID: f.partner, CardID: f.card.ID, Amount: dec("30")}
		go func() {
			if name == "plain load" {
				_, err := f.st.AddFunds(ctx, actor, op)
				done <- err
				return
			}
			_, _, err := f.st.ApplyOnce(ctx, actor, once, store.AddFundsOperation(op), reply)
			done <- err
		}()
		// The load has debited the partner and written that movement, and now waits for the card.
		pid, err := waitForLockWaiter(ctx, f.st)
		if err != nil {
			t.Fatal(err)
		}
		var killed bool
		if err := f.st.DB().GetContext(ctx, &killed, `SELECT pg_terminate_backend($1)`, pid); err != nil || !killed {
			t.Fatalf("terminate backend %d: %v %v", pid, killed, err)
		}
		if err := <-done; err == nil {
			t.Fatalf("%s: the load on a killed connection reported success", name)
		} else if _, business := store.AsError(err); business {
			t.Fatalf("%s: a killed connection was answered as a business error: %v", name, err)
		}
		_ = tx.Rollback()
		conn.Close()
		if got := count(`SELECT count(*) FROM movements`); got != movementsBefore {
			t.Fatalf("%s: %d movements after the kill, %d before", name, got, movementsBefore)
		}
		if got := count(`SELECT count(*) FROM audit_log`); got != auditBefore {
			t.Fatalf("%s: audit rows changed", name)
		}
		if n := count(`SELECT count(*) FROM idempotency_keys`); n != 0 {
			t.Fatalf("%s: the reference was kept without its operation", name)
		}
		if b := f.partnerBalance(t); !b.Equal(dec("100")) {
			t.Fatalf("%s: partner balance %s after the kill", name, b)
		}
		checkLedger(t, f.st)
	}
	// The client's retry of the reference applies it, once.
	for range 2 {
		if _, _, err := f.st.ApplyOnce(ctx, actor, once, store.AddFundsOperation(store.FundsOp{PartnerID: f.partner, CardID: f.card.ID, Amount: dec("30")}), reply); err != nil {
			t.Fatal(err)
		}
	}
	if b := f.balance(t, f.card.ID); !b.Equal(dec("30")) {
		t.Fatalf("card balance %s after the retry, want 30", b)
	}
	checkLedger(t, f.st)
}
