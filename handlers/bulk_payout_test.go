package handlers_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/shopspring/decimal"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store"
	"cardconsole/store/storetest"
)

var payoutHeader = []string{"cardId", "documentType", "documentNumber", "amount", "reference", "description"}

// decide sends approve, reject or cancel on a payout batch.
func (w *bulkWorld) decide(op *apptest.Operator, id int64, action string, body map[string]any) *apptest.Response {
	w.t.Helper()
	return op.Do(http.MethodPatch, partnerPath(w.partner, "/disbursements/"+itoa(id)+"/"+action), body)
}

// movements counts the BULK loads of a card.
func (w *bulkWorld) bulkLoads(cardID int64) int {
	w.t.Helper()
	return w.count(`SELECT count(*) FROM movements WHERE card_id = $1 AND channel = 'BULK'`, cardID)
}

func TestBulkPayoutWaitsForAnotherOperatorThenPaysEachRowOnce(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"csv", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			w := newBulkWorld(t)
			storetest.CreditPartner(t, w.env.Store, w.partner, "1000")
			a, _ := w.holder()
			b, docB := w.holder()
			rows := [][]string{payoutHeader, {itoa(a.ID), "", "", "100.50", "PAY-1", "Fortnight"},
				{"", "DPI", docB, "200", "PAY-2", ""}, {itoa(a.ID), "", "", "-3", "PAY-3", ""}}
			file, name := csvBytes(t, ',', rows...), "pay.csv"
			if format == "xlsx" {
				file, name = xlsxBytes(t, rows...), "pay.xlsx"
			}
			id := w.uploadOK(w.maker, "/disbursements/upload", "file", name, file)
			w.work()
			got := w.wantCounts(id, store.BatchPendingApproval, 0, 1)
			if got["amountTotal"] != 300.5 || got["covered"] != true || got["currency"] != "GTQ" {
				t.Fatalf("pending batch %v: want a total of 300.5, covered", got)
			}
			if w.bulkLoads(a.ID)+w.bulkLoads(b.ID) != 0 {
				t.Fatal("money moved before approval")
			}

			// The maker can neither approve nor reject; a checker needs a code.
			w.decide(w.maker, id, "approve", map[string]any{"otp": w.maker.OTP()}).WantError(http.StatusForbidden, "7005")
			w.decide(w.checker, id, "approve", map[string]any{}).WantError(http.StatusForbidden, "7007")
			w.decide(w.checker, id, "cancel", nil).WantError(http.StatusForbidden, "7005")
			w.decide(w.checker, id, "approve", map[string]any{"otp": w.checker.OTP()}).WantStatus(http.StatusOK)
			w.decide(w.checker, id, "approve", map[string]any{"otp": w.checker.OTP()}).WantError(http.StatusConflict, "7011")
			w.work()
			done := w.wantCounts(id, store.BatchCompleted, 2, 1)
			if done["credited"] != 300.5 {
				t.Fatalf("credited %v, want the sum of the applied rows", done["credited"])
			}
			if !w.cardBalance(a.ID).Equal(decimal.RequireFromString("100.5")) || !w.cardBalance(b.ID).Equal(decimal.NewFromInt(200)) {
				t.Fatalf("balances %s and %s", w.cardBalance(a.ID), w.cardBalance(b.ID))
			}
			ledgerConsistent(t, w.env.Store)

			// The same rows in another file are replays: approved, they pay nothing more.
			again := w.upload(w.maker, "/disbursements/upload", "file", name, file, map[string]string{"force": "true"}).
				WantStatus(http.StatusCreated)
			againID := int64(again.Data()["id"].(float64))
			w.work()
			w.decide(w.checker, againID, "approve", map[string]any{"otp": w.checker.OTP()}).WantStatus(http.StatusOK)
			w.work()
			w.wantCounts(againID, store.BatchCompleted, 0, 3)
			if w.bulkLoads(a.ID) != 1 || w.bulkLoads(b.ID) != 1 {
				t.Fatalf("loads %d and %d: a reference must be paid once", w.bulkLoads(a.ID), w.bulkLoads(b.ID))
			}
			if n := w.count(`SELECT count(*) FROM bulk_rows WHERE batch_id = $1 AND code = '7006'`, againID); n != 2 {
				t.Fatalf("%d rows reported as already paid, want 2", n)
			}
			if n := w.count(`SELECT count(*) FROM audit_log WHERE action = 'card.add_funds' AND after->>'batchId' = $1`, itoa(id)); n != 2 {
				t.Fatalf("%d loads audited, want 2", n)
			}
		})
	}
}

func TestBulkPayoutResumesAfterTheWorkerStopsWithoutPayingTwice(t *testing.T) {
	t.Parallel()
	w := newBulkWorldOn(t, smallChunks(t))
	storetest.CreditPartner(t, w.env.Store, w.partner, "10000")
	rows := [][]string{payoutHeader}
	var cards []store.Card
	for i := range 7 {
		c, _ := w.holder()
		cards = append(cards, c)
		rows = append(rows, []string{itoa(c.ID), "", "", "10", "R-" + itoa(int64(i)), ""})
	}
	id := w.uploadOK(w.maker, "/disbursements/upload", "file", "pay.csv", csvBytes(t, ';', rows...))
	w.work()
	w.decide(w.checker, id, "approve", map[string]any{"otp": w.checker.OTP()}).WantStatus(http.StatusOK)

	// The worker stops after its first chunk, as an instance that dies would.
	if found, err := w.env.Store.WorkBulkJob(context.Background(), 1); !found || err != nil {
		t.Fatalf("claim: %v %v", found, err)
	}
	mid := w.batch(id)
	if mid["status"] != store.BatchRunning || mid["processed"] != float64(2) {
		t.Fatalf("after one chunk %v", mid)
	}
	// Another instance on the same database takes the job over and finishes it.
	other := apptest.NewOn(t, handlers.Routes, w.env.URL)
	for {
		found, err := other.Store.WorkBulkJob(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		if !found {
			break
		}
	}
	done := w.wantCounts(id, store.BatchCompleted, 7, 0)
	if done["credited"] != float64(70) {
		t.Fatalf("credited %v", done["credited"])
	}
	for _, c := range cards {
		if n := w.bulkLoads(c.ID); n != 1 || !w.cardBalance(c.ID).Equal(decimal.NewFromInt(10)) {
			t.Fatalf("card %d has %d loads and %s", c.ID, n, w.cardBalance(c.ID))
		}
	}
	ledgerConsistent(t, w.env.Store)
}

func TestBulkPayoutOnInsufficientFundsStopsOrGoesOn(t *testing.T) {
	t.Parallel()
	for _, choice := range []string{"STOP", "CONTINUE"} {
		t.Run(choice, func(t *testing.T) {
			w := newBulkWorld(t)
			storetest.CreditPartner(t, w.env.Store, w.partner, "100")
			c, _ := w.holder()
			rows := [][]string{payoutHeader, {itoa(c.ID), "", "", "60", "A", ""}, {itoa(c.ID), "", "", "60", "B", ""},
				{itoa(c.ID), "", "", "40", "C", ""}}
			id := w.uploadOK(w.maker, "/disbursements/upload", "file", "pay.csv", csvBytes(t, ',', rows...))
			w.work()
			if b := w.batch(id); b["covered"] != false {
				t.Fatalf("a total of 160 on a balance of 100 is not covered: %v", b)
			}
			w.decide(w.checker, id, "approve", map[string]any{"otp": w.checker.OTP(), "onInsufficientFunds": choice}).WantStatus(http.StatusOK)
			w.work()
			want, credited := 1, "60"
			if choice == "CONTINUE" {
				want, credited = 2, "100"
			}
			b := w.wantCounts(id, store.BatchCompleted, want, 3-want)
			if b["credited"] != decimal.RequireFromString(credited).InexactFloat64() || !w.cardBalance(c.ID).Equal(decimal.RequireFromString(credited)) {
				t.Fatalf("credited %v, card %s, want %s", b["credited"], w.cardBalance(c.ID), credited)
			}
			if n := w.count(`SELECT count(*) FROM bulk_rows WHERE batch_id = $1 AND code = '7303'`, id); n != 3-want {
				t.Fatalf("%d rows with 7303", n)
			}
			ledgerConsistent(t, w.env.Store)
		})
	}
}

func TestBulkPayoutRejectAndCancel(t *testing.T) {
	t.Parallel()
	w := newBulkWorld(t)
	storetest.CreditPartner(t, w.env.Store, w.partner, "100")
	c, _ := w.holder()
	upload := func(ref string) int64 {
		id := w.uploadOK(w.maker, "/disbursements/upload", "file", ref+".csv", csvBytes(t, ',', payoutHeader, []string{itoa(c.ID), "", "", "5", ref, ""}))
		w.work()
		return id
	}
	first := upload("X1")
	w.decide(w.checker, first, "reject", map[string]any{}).WantError(http.StatusBadRequest, "7000")
	w.decide(w.checker, first, "reject", map[string]any{"reason": "wrong month"}).WantStatus(http.StatusOK)
	if b := w.batch(first); b["status"] != store.BatchRejected || b["reason"] != "wrong month" {
		t.Fatalf("rejected batch %v", b)
	}
	second := upload("X2")
	w.decide(w.maker, second, "cancel", nil).WantStatus(http.StatusOK)
	w.decide(w.checker, second, "approve", map[string]any{"otp": w.checker.OTP()}).WantError(http.StatusConflict, "7011")
	w.work()
	if b := w.batch(second); b["status"] != store.BatchCancelled {
		t.Fatalf("cancelled batch %v", b)
	}
	if w.bulkLoads(c.ID) != 0 {
		t.Fatal("a rejected or cancelled file moved money")
	}
	if n := w.count(`SELECT count(*) FROM audit_log WHERE action IN ('bulk.reject', 'bulk.cancel')`); n != 2 {
		t.Fatalf("%d decisions audited, want 2", n)
	}
}
