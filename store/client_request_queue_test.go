package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"cardconsole/store"
	"cardconsole/store/storetest"
)

// keptCounts returns the kept counts and the counts of the requests themselves, as "partner/status=n"
// lines, for comparison.
func keptCounts(t *testing.T, st *store.Store) (kept, real []string) {
	t.Helper()
	ctx := context.Background()
	read := func(q string) []string {
		var rows []struct {
			Partner int64 `db:"partner_id"`
			Status  int   `db:"status"`
			N       int64 `db:"n"`
		}
		if err := st.DB().SelectContext(ctx, &rows, q); err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, r := range rows {
			out = append(out, fmt.Sprintf("%d/%d=%d", r.Partner, r.Status, r.N))
		}
		return out
	}
	return read(`SELECT partner_id, status, requests AS n FROM client_request_counts WHERE requests <> 0 ORDER BY 1, 2`),
		read(`SELECT partner_id, status, count(*) AS n FROM client_requests GROUP BY 1, 2 ORDER BY 1, 2`)
}

func TestQueueCountsFollowEveryChange(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := context.Background()
	sys := store.SystemActor("test")
	all := store.SystemViewer()
	a, err := st.CreatePartner(ctx, sys, "Quetzal", "GTQ")
	if err != nil {
		t.Fatal(err)
	}
	b, err := st.CreatePartner(ctx, sys, "Andes", "USD")
	if err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		kept, real := keptCounts(t, st)
		if !slices.Equal(kept, real) {
			t.Errorf("%s: kept counts %v, requests %v", when, kept, real)
		}
	}
	submit := func(partner int64, status int, typ string, payload string) store.ClientRequest {
		t.Helper()
		r, err := st.SubmitClientRequest(ctx, sys, all, store.NewClientRequest{ClientID: storetest.Cardholder(t, st, partner),
			Type: typ, StatusID: &status, Payload: json.RawMessage(payload)})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	check("empty")
	verify := submit(a.ID, store.StatusPending, "verification", `{"documentReference":"D-1"}`)
	for _, s := range []int{store.StatusPending, store.StatusPending, store.StatusInProgress, store.StatusNew} {
		submit(a.ID, s, "archive", `{}`)
	}
	for range 3 {
		submit(b.ID, store.StatusPending, "archive", `{}`)
	}
	check("after submissions")
	if err := st.ApproveClientRequest(ctx, sys, all, verify.ID, nil); err != nil {
		t.Fatal(err)
	}
	check("after an approval")
	if _, err := st.SetRequestColor(ctx, sys, all, verify.ID, "#fbe1e3"); err != nil {
		t.Fatal(err)
	}
	check("after a colour")
	// Several rows in one statement, in both directions, and deletions.
	if _, err := st.DB().ExecContext(ctx, `UPDATE client_requests SET status = CASE status WHEN 0 THEN 3 ELSE 0 END
		WHERE status IN (0, 3)`); err != nil {
		t.Fatal(err)
	}
	check("after an update of many")
	if _, err := st.DB().ExecContext(ctx, `DELETE FROM client_requests WHERE partner_id = $1 AND status = 3`, b.ID); err != nil {
		t.Fatal(err)
	}
	check("after a deletion")

	// The totals the queue reports are the requests themselves, with and without a status filter.
	for _, status := range []int{-1, store.StatusPending, store.StatusInProgress, store.StatusApproved} {
		f := store.ClientRequestFilter{Limit: 1}
		if status >= 0 {
			f.Status = &status
		}
		_, total, err := st.ListClientRequests(ctx, all, f)
		if err != nil {
			t.Fatal(err)
		}
		var want int
		if err := st.DB().GetContext(ctx, &want, `SELECT count(*) FROM client_requests WHERE $1 < 0 OR status = $1`, status); err != nil {
			t.Fatal(err)
		}
		if total != want {
			t.Errorf("status %d (-1: any): total %d, want %d", status, total, want)
		}
	}
}

func TestQueuePagesMergeThePartnersInOrder(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := context.Background()
	sys := store.SystemActor("test")
	all := store.SystemViewer()
	var partners []int64
	for _, name := range []string{"Quetzal", "Andes", "Maya"} {
		p, err := st.CreatePartner(ctx, sys, name, "GTQ")
		if err != nil {
			t.Fatal(err)
		}
		partners = append(partners, p.ID)
	}
	types := []string{"archive", "verification", "account"}
	payloads := []string{`{}`, `{"documentReference":"D-1"}`, `{}`}
	for i := range 14 {
		k := (i * 7) % 3
		_, err := st.SubmitClientRequest(ctx, sys, all, store.NewClientRequest{ClientID: storetest.Cardholder(t, st, partners[k]),
			Type: types[i%3], Payload: json.RawMessage(payloads[i%3])})
		if err != nil {
			t.Fatal(err)
		}
	}
	orders := map[string]string{"createdAt": "created_at, id", "-createdAt": "created_at DESC, id DESC",
		"-type": "type DESC, id DESC", "clientId": "cardholder_id, id"}
	for sort, order := range orders {
		var want []int64
		if err := st.DB().SelectContext(ctx, &want, `SELECT id FROM client_requests ORDER BY `+order); err != nil {
			t.Fatal(err)
		}
		for _, page := range [][2]int{{0, 5}, {5, 5}, {10, 5}, {3, 4}} {
			got, total, err := st.ListClientRequests(ctx, all, store.ClientRequestFilter{Sort: sort, Offset: page[0], Limit: page[1]})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, r := range got {
				ids = append(ids, r.ID)
			}
			end := min(page[0]+page[1], len(want))
			if total != len(want) || !slices.Equal(ids, want[page[0]:end]) {
				t.Errorf("sort %s, offset %d limit %d: %v (total %d), want %v (total %d)", sort, page[0], page[1], ids, total,
					want[page[0]:end], len(want))
			}
		}
	}
}
