package handlers_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"cardconsole/internal/apptest"
	"cardconsole/store/storetest"
)

func partnerBalance(t *testing.T, env *apptest.Env, partnerID int64) string {
	t.Helper()
	var b string
	if err := env.Store.DB().GetContext(context.Background(), &b, `SELECT balance::text FROM accounts
		WHERE partner_id = $1 AND kind = 'PARTNER'`, partnerID); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestApprovalMovesMoney(t *testing.T) {
	t.Parallel()
	q := newQueue(t)
	st := q.env.Store
	approve := func(id int64) *apptest.Response {
		t.Helper()
		return api(q.env, q.checker, http.MethodPost, path("/api/v2/applications/%d/approve", id), map[string]any{"data": []string{"ok"}})
	}
	status := func(id int64) any {
		t.Helper()
		return api(q.env, q.checker, http.MethodGet, path("/api/v2/applications/%d", id), nil).JSON()["statusId"]
	}

	// Deposit: from the partner's balance to the card; short partner first.
	deposit := q.submit(t, q.client, "deposit", map[string]any{"cardId": q.card.ID, "amount": "120.50"})
	approve(deposit).WantError(http.StatusUnprocessableEntity, "7303")
	if status(deposit) != float64(0) {
		t.Fatal("a refused deposit left pending state")
	}
	storetest.CreditPartner(t, st, q.partner, "500")
	approve(deposit).WantStatus(http.StatusNoContent)
	if b := balance(t, st, q.card.ID); b != "120.5000" {
		t.Errorf("card after deposit = %s", b)
	}
	if b := partnerBalance(t, q.env, q.partner); b != "379.5000" {
		t.Errorf("partner after deposit = %s", b)
	}
	var channel, reference string
	if err := st.DB().QueryRowContext(context.Background(), `SELECT channel, reference FROM movements WHERE card_id = $1
		ORDER BY id DESC LIMIT 1`, q.card.ID).Scan(&channel, &reference); err != nil {
		t.Fatal(err)
	}
	if channel != "CLIENT_REQUEST" || reference != "client-request-"+itoa(deposit) {
		t.Errorf("movement channel %q reference %q", channel, reference)
	}

	// Withdrawal: 7303 when the card is short, and the request stays pending and undecided.
	big := q.submit(t, q.client, "withdrawal", map[string]any{"cardId": q.card.ID, "amount": "200"})
	approve(big).WantError(http.StatusUnprocessableEntity, "7303")
	if status(big) != float64(0) || balance(t, st, q.card.ID) != "120.5000" {
		t.Fatalf("a short withdrawal changed something: status %v, card %s", status(big), balance(t, st, q.card.ID))
	}
	var comments, decisions int
	if err := st.DB().GetContext(context.Background(), &comments, `SELECT count(*) FROM client_request_comments WHERE request_id = $1`, big); err != nil {
		t.Fatal(err)
	}
	if err := st.DB().GetContext(context.Background(), &decisions, `SELECT count(*) FROM audit_log WHERE action = 'client_request.approve'
		AND object_id = $1`, itoa(big)); err != nil {
		t.Fatal(err)
	}
	if comments != 0 || decisions != 0 {
		t.Errorf("a refused approval left %d comments and %d audit rows", comments, decisions)
	}
	small := q.submit(t, q.client, "withdrawal", map[string]any{"cardId": q.card.ID, "amount": "20.5"})
	approve(small).WantStatus(http.StatusNoContent)
	if b := balance(t, st, q.card.ID); b != "100.0000" {
		t.Errorf("card after withdrawal = %s", b)
	}
	if b := partnerBalance(t, q.env, q.partner); b != "400.0000" {
		t.Errorf("partner after withdrawal = %s", b)
	}
	// Once the card holds enough, the pending withdrawal goes through.
	fund(t, st, q.partner, q.card, "100")
	approve(big).WantStatus(http.StatusNoContent)
	if b := balance(t, st, q.card.ID); b != "0.0000" {
		t.Errorf("card after the big withdrawal = %s", b)
	}

	// Transfer between the client's two cards.
	fund(t, st, q.partner, q.card, "50")
	transfer := q.submit(t, q.client, "transfer", map[string]any{"fromCardId": q.card.ID, "toCardId": q.card2.ID, "amount": "30.25"})
	approve(transfer).WantStatus(http.StatusNoContent)
	if a, b := balance(t, st, q.card.ID), balance(t, st, q.card2.ID); a != "19.7500" || b != "30.2500" {
		t.Errorf("after transfer: %s and %s", a, b)
	}
	tooMuch := q.submit(t, q.client, "transfer", map[string]any{"fromCardId": q.card.ID, "toCardId": q.card2.ID, "amount": "20"})
	approve(tooMuch).WantError(http.StatusUnprocessableEntity, "7303")

	// A card blocked after the submission cannot move money: the approval is refused, nothing changes.
	blocked := q.submit(t, q.client, "withdrawal", map[string]any{"cardId": q.card2.ID, "amount": "1"})
	if _, err := st.DB().ExecContext(context.Background(), `UPDATE cards SET status = 'BLOCKED' WHERE id = $1`, q.card2.ID); err != nil {
		t.Fatal(err)
	}
	approve(blocked).WantError(http.StatusConflict, "7213")
	if status(blocked) != float64(0) {
		t.Error("a refused approval decided the request")
	}
	// The ledger still adds up; the audit names what stands in the way.
	m := api(q.env, q.checker, http.MethodPost, path("/api/v2/applications/%d/audit", tooMuch), nil).WantStatus(http.StatusOK).JSON()
	var lines []string
	for _, l := range m["result"].([]any) {
		lines = append(lines, l.(string))
	}
	joined := strings.Join(lines, "\n")
	if len(lines) != 2 || !strings.Contains(joined, "holds 19.75 GTQ, less than the 20.00 GTQ to transfer") ||
		!strings.Contains(joined, "is BLOCKED") || strings.Contains(joined, "stored balance") {
		t.Errorf("audit of a short transfer = %q", lines)
	}
}

// Withdrawals approved at once never take a card below zero: those the balance covers go through,
// the others answer 7303 and stay pending.
func TestConcurrentWithdrawalApprovalsNeverOverdraw(t *testing.T) {
	t.Parallel()
	q := newQueue(t)
	fund(t, q.env.Store, q.partner, q.card, "100")
	var ids []int64
	for range 8 {
		ids = append(ids, q.submit(t, q.client, "withdrawal", map[string]any{"cardId": q.card.ID, "amount": "30"}))
	}
	var wg sync.WaitGroup
	statuses := make(chan int, len(ids))
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPost, q.env.Server.URL+path("/api/v2/applications/%d/approve", id), bytes.NewReader([]byte(`{}`)))
			req.Header.Set("Authorization", "Bearer "+q.checker.Token)
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			statuses <- res.StatusCode
		}()
	}
	wg.Wait()
	close(statuses)
	ok, short := 0, 0
	for s := range statuses {
		switch s {
		case http.StatusNoContent:
			ok++
		case http.StatusUnprocessableEntity:
			short++
		default:
			t.Errorf("status %d", s)
		}
	}
	if ok != 3 || short != 5 {
		t.Fatalf("%d approved, %d short; want 3 and 5", ok, short)
	}
	if b := balance(t, q.env.Store, q.card.ID); b != "10.0000" {
		t.Errorf("card = %s, want 10", b)
	}
	if n := total(t, api(q.env, q.checker, http.MethodGet, "/api/v2/applications?filter[statusId]=0", nil)); n != 5 {
		t.Errorf("%d pending, want 5", n)
	}
	// The ledger adds up: the audit finds no balance discrepancy, only the amounts the card cannot cover.
	m := api(q.env, q.checker, http.MethodPost, path("/api/v2/applications/%d/audit", ids[0]), nil).WantStatus(http.StatusOK).JSON()
	for _, line := range m["result"].([]any) {
		if s := line.(string); strings.Contains(s, "stored balance") || strings.Contains(s, "do not follow") {
			t.Errorf("ledger discrepancy after concurrent approvals: %s", s)
		}
	}
}
