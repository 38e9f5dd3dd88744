package handlers_test

import (
	"net/http"
	"net/url"
	"testing"

	"cardconsole/internal/apptest"
	"cardconsole/store"
	"cardconsole/store/storetest"
)

func TestBulkPageThreeWaysAndPayoutReview(t *testing.T) {
	t.Parallel()
	w := newBulkWorld(t)
	storetest.CreditPartner(t, w.env.Store, w.partner, "50")
	card, _ := w.holder()
	id := w.uploadOK(w.maker, "/disbursements/upload", "file", "pay.csv", csvBytes(t, ',', payoutHeader, []string{itoa(card.ID), "", "", "80", "P-1", ""}))
	w.work()
	path := partnerPath(w.partner, "/bulk")

	// JSON: the batches.
	var env struct{ Data []map[string]any }
	w.maker.Do(http.MethodGet, path, nil).WantStatus(http.StatusOK).Decode(&env)
	if len(env.Data) != 1 || env.Data[0]["id"] != float64(id) {
		t.Fatalf("JSON %v", env.Data)
	}
	// The maker's full page: the form with the kinds they may upload, and a cancel button on their file.
	maker := w.env.Console()
	maker.Login(w.maker.Email, apptest.Password)
	maker.Get(path, false).WantStatus(http.StatusOK).
		WantSelectors(`[data-testid="bulk-form"]`, `[data-testid="payout-cancel"]`).
		Contains(`value="cardholders"`, `value="payout"`).
		Lacks(`data-testid="payout-approve"`)
	// The checker's partial (the history): totals, cover, approve and reject; no upload form.
	checker := w.env.Console()
	checker.Login(w.checker.Email, apptest.Password)
	checker.Get(path, true).WantStatus(http.StatusOK).
		WantSelectors(`[data-testid="bulk-history"]`, `[data-testid="payout-approve"]`, `[data-testid="payout-reject"]`).
		Contains("80.00", "does not cover").
		Lacks(`data-testid="bulk-form"`, "<html")
	checker.Get(path, false).WantStatus(http.StatusOK).Lacks(`data-testid="bulk-form"`)

	// Approving from the console answers the live progress panel and tells the history to reload.
	res := checker.HTMX(http.MethodPatch, partnerPath(w.partner, "/disbursements/"+itoa(id)+"/approve"),
		url.Values{"otp": {w.checker.OTP()}, "onInsufficientFunds": {"STOP"}})
	res.WantStatus(http.StatusOK).WantSelectors(`[data-testid="bulk-batch"]`).Contains(`data-bulk-progress=`)
	if res.Header.Get("HX-Trigger") != "bulk-changed" {
		t.Errorf("HX-Trigger %q", res.Header.Get("HX-Trigger"))
	}
	w.work()
	w.wantCounts(id, store.BatchCompleted, 0, 1)
	if n := w.count(`SELECT count(*) FROM bulk_rows WHERE batch_id = $1 AND code = '7303'`, id); n != 1 {
		t.Fatalf("the short row is not 7303")
	}
}
