package handlers_test

import (
	"context"
	"net/http"
	"testing"

	"cardconsole/store"
)

// The bell counts pending requests only up to store.BellCap+1 (a queue of 100,000 made every
// console page take a second, docs/performance-console.md) and shows "99+" beyond BellCap; at or
// below it, the exact number.
func TestBellCountStopsPastItsCap(t *testing.T) {
	t.Parallel()
	q := newQueue(t)
	ctx := context.Background()
	st := q.env.Store
	viewer := store.OperatorViewer(q.checker.ID, "approvals:list")
	insert := func(n int) {
		t.Helper()
		_, err := st.DB().ExecContext(ctx, `INSERT INTO client_requests (partner_id, cardholder_id, type, submitted_by_type)
			SELECT $1, $2, 'archive', 'SYSTEM' FROM generate_series(1, $3)`, q.partner, q.client, n)
		if err != nil {
			t.Fatal(err)
		}
	}
	insert(store.BellCap)
	if n, err := st.CountPendingRequests(ctx, viewer); err != nil || n != store.BellCap {
		t.Fatalf("count = %d (%v), want %d", n, err, store.BellCap)
	}
	cl := q.env.SignIn(q.checker.Email)
	cl.Get("/", false).WantStatus(http.StatusOK).WantPage(`data-testid="bell-count">99<`)

	insert(50)
	if n, err := st.CountPendingRequests(ctx, viewer); err != nil || n != store.BellCap+1 {
		t.Fatalf("count = %d (%v), want %d: it stops past the cap", n, err, store.BellCap+1)
	}
	cl.Get("/", false).WantStatus(http.StatusOK).WantPage(`data-testid="bell-count">99+<`)
}
