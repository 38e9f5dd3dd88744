package handlers_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"cardconsole/internal/apptest"
	"cardconsole/store"
	"cardconsole/views/pdf/pdftest"
)

func (w *lifeWorld) reversalPath(id int64, action string) string {
	return w.partnerPath(fmt.Sprintf("/reversals/%d/%s", id, action))
}

func (w *lifeWorld) reversalStatus(id int64) string {
	w.t.Helper()
	r, err := w.env.Store.Reversal(context.Background(), w.partner, id)
	if err != nil {
		w.t.Fatal(err)
	}
	return r.Status
}

func TestReversalByTheRequesterIsRefused(t *testing.T) {
	t.Parallel()
	w := newLifeWorld(t)
	load := w.load(w.card.ID, "100")
	// A maker does not hold card-movements:revert.
	w.maker.Do(http.MethodPost, w.cardPath(w.card.ID, fmt.Sprintf("/movements/%d/revert", load)), map[string]string{"reason": "x"}).
		WantError(http.StatusForbidden, "7005")
	id := w.requestReversal(w.checker, w.card.ID, load)
	w.checker.Do(http.MethodPatch, w.reversalPath(id, "approve"), nil).WantError(http.StatusForbidden, "7005")
	w.checker.Do(http.MethodPatch, w.reversalPath(id, "reject"), map[string]string{"reason": "mine"}).WantError(http.StatusForbidden, "7005")
	if w.reversalStatus(id) != store.ReversalPending || chAudit(t, w.env, "authz.refused", itoa(id)) != 2 {
		t.Fatal("the requester's own decision was not refused and audited")
	}
	w.wantBalance(w.card.ID, "100")
	// The queue lists it; another checker approves it and the money goes back.
	res := w.checker2.Do(http.MethodGet, w.partnerPath("/reversals?status=PENDING"), nil).WantStatus(http.StatusOK)
	if items := res.Data()["items"].([]any); len(items) != 1 {
		t.Fatalf("queue: %s", res.Body)
	}
	w.checker2.Do(http.MethodPatch, w.reversalPath(id, "approve"), nil).WantStatus(http.StatusOK)
	w.wantBalance(w.card.ID, "0")
	w.wantTotal()
	// The original shows who reversed it.
	res = w.maker.Do(http.MethodGet, w.cardPath(w.card.ID, "/movements"), nil).WantStatus(http.StatusOK)
	var list struct {
		Data struct {
			Items []store.MovementRow `json:"items"`
		} `json:"data"`
	}
	res.Decode(&list)
	var reversedBy, reversing int
	for _, m := range list.Data.Items {
		if m.ID == load && m.ReversedBy != nil && *m.ReversedBy == id {
			reversedBy++
		}
		if m.Type == store.MovementReversal && m.ReversesMovementID != nil && *m.ReversesMovementID == load {
			reversing++
		}
	}
	if reversedBy != 1 || reversing != 1 {
		t.Fatalf("movements: %s", res.Body)
	}
	// So do the CSV export and the PDF statement.
	period := "?from=" + time.Now().AddDate(0, 0, -1).Format(store.DateLayout) + "&to=" + time.Now().AddDate(0, 0, 1).Format(store.DateLayout)
	res = w.maker.Do(http.MethodGet, w.cardPath(w.card.ID, "/movements/export.csv"+period), nil).WantStatus(http.StatusOK)
	records, err := csv.NewReader(bytes.NewReader(res.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	flagged := 0
	for _, r := range records[1:] {
		if r[0] == itoa(load) && r[len(r)-1] == itoa(id) {
			flagged++
		}
	}
	if records[0][len(records[0])-1] != "reversedBy" || flagged != 1 {
		t.Fatalf("CSV: %v", records)
	}
	res = w.maker.Do(http.MethodGet, w.cardPath(w.card.ID, "/movements/report"+period), nil).WantStatus(http.StatusOK)
	if text := pdftest.Text(t, res.Body); !strings.Contains(text, "Reversed by #"+itoa(id)) || !strings.Contains(text, "Reversal") {
		t.Fatalf("PDF: %s", text)
	}
	// Once reversed, never again.
	w.checker.Do(http.MethodPost, w.cardPath(w.card.ID, fmt.Sprintf("/movements/%d/revert", load)), map[string]string{"reason": "again"}).
		WantError(http.StatusConflict, "7304")
}

func TestRacingApprovalsReverseOnce(t *testing.T) {
	t.Parallel()
	w := newLifeWorld(t)
	load := w.load(w.card.ID, "40")
	// Repeated and racing requests open one reversal.
	var wg sync.WaitGroup
	statuses := make(chan int, 8)
	for i := range 8 {
		wg.Add(1)
		go func(op *apptest.Operator) {
			defer wg.Done()
			statuses <- statusOf(t, w.env, op, http.MethodPost, w.cardPath(w.card.ID, fmt.Sprintf("/movements/%d/revert", load)),
				`{"reason":"duplicate load"}`)
		}([]*apptest.Operator{w.checker, w.checker2}[i%2])
	}
	wg.Wait()
	close(statuses)
	created := 0
	for s := range statuses {
		switch s {
		case http.StatusCreated:
			created++
		case http.StatusConflict:
		default:
			t.Fatalf("request answered %d", s)
		}
	}
	var id int64
	if err := w.env.Store.DB().Get(&id, `SELECT id FROM reversals`); err != nil || created != 1 {
		t.Fatalf("%d reversals opened (%v)", created, err)
	}
	var requester int64
	_ = w.env.Store.DB().Get(&requester, `SELECT requested_by FROM reversals WHERE id = $1`, id)
	approvers := []*apptest.Operator{w.checker, w.checker2, w.env.Operator("admin@example.com", false,
		apptest.Grant{Partner: w.partner, Roles: []string{"admin"}}).Login()}
	results := make(chan int, 30)
	start := make(chan struct{})
	for i := range 30 {
		op := approvers[i%len(approvers)]
		if op.ID == requester {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results <- statusOf(t, w.env, op, http.MethodPatch, w.reversalPath(id, "approve"), "")
		}()
	}
	close(start)
	wg.Wait()
	close(results)
	ok := 0
	for s := range results {
		switch s {
		case http.StatusOK:
			ok++
		case http.StatusConflict:
		default:
			t.Fatalf("approval answered %d", s)
		}
	}
	if ok != 1 {
		t.Fatalf("%d approvals succeeded", ok)
	}
	var reversals int
	_ = w.env.Store.DB().Get(&reversals, `SELECT count(*) FROM movements WHERE type = 'REVERSAL'`)
	if reversals != 2 {
		t.Fatalf("%d reversing movements, want 2", reversals)
	}
	w.wantBalance(w.card.ID, "0")
	w.wantPartnerBalance("1000")
	w.wantTotal()
}

// statusOf runs a request as the operator, with a JSON body unless body is empty, and returns the status.
func statusOf(t *testing.T, env *apptest.Env, op *apptest.Operator, method, path, body string) int {
	req, err := http.NewRequest(method, env.Server.URL+path, strings.NewReader(body))
	if err != nil {
		t.Error(err)
		return 0
	}
	for k, v := range op.Headers() {
		req.Header.Set(k, v)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := env.Server.Client().Do(req)
	if err != nil {
		t.Error(err)
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}

func TestReversingATransferRestoresBothCards(t *testing.T) {
	t.Parallel()
	w := newLifeWorld(t)
	w.load(w.card.ID, "100")
	res := w.maker.Do(http.MethodPost, w.holderPath("/cards/transfers"),
		map[string]any{"fromCardId": w.card.ID, "toCardId": w.second.ID, "amount": "30.25"})
	res.WantStatus(http.StatusOK)
	in := int64(res.Data()["movements"].([]any)[1].(map[string]any)["id"].(float64))
	w.wantBalance(w.card.ID, "69.75")
	// Asked from the receiving card's movement, the reversal undoes both legs.
	id := w.requestReversal(w.checker, w.second.ID, in)
	res = w.checker2.Do(http.MethodPatch, w.reversalPath(id, "approve"), nil).WantStatus(http.StatusOK)
	if res.Data()["operation"] != "TRANSFER" {
		t.Fatalf("approval: %s", res.Body)
	}
	w.wantBalance(w.card.ID, "100")
	w.wantBalance(w.second.ID, "0")
	w.wantPartnerBalance("900")
	w.wantTotal()
}

func TestReversalThatTheBalanceNoLongerCoversIsRefused(t *testing.T) {
	t.Parallel()
	w := newLifeWorld(t)
	load := w.load(w.card.ID, "100")
	w.maker.Do(http.MethodPost, w.holderPath("/cards/funds/withdraw"), map[string]any{"cardId": w.card.ID, "amount": "60"}).
		WantStatus(http.StatusOK)
	id := w.requestReversal(w.checker, w.card.ID, load)
	w.checker2.Do(http.MethodPatch, w.reversalPath(id, "approve"), nil).WantError(http.StatusUnprocessableEntity, "7303")
	if w.reversalStatus(id) != store.ReversalPending {
		t.Fatal("a refused approval changed the reversal")
	}
	w.wantBalance(w.card.ID, "40")
	w.wantTotal()
	// It can still be rejected, with a reason.
	w.checker2.Do(http.MethodPatch, w.reversalPath(id, "reject"), nil).WantError(http.StatusBadRequest, "7000")
	w.checker2.Do(http.MethodPatch, w.reversalPath(id, "reject"), map[string]string{"reason": "money already spent"}).
		WantStatus(http.StatusOK)
	if w.reversalStatus(id) != store.ReversalRejected {
		t.Fatal("not rejected")
	}
}
