package handlers_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/shopspring/decimal"

	"cardconsole/internal/apptest"
)

// TestRacingDecisionsCreditOnce hammers each request with concurrent approvals, rejections and
// cancellations from several operators: exactly one wins, the others get 409, and the balance is
// credited once per approved request, with one movement each.
func TestRacingDecisionsCreditOnce(t *testing.T) {
	t.Parallel()
	f := newTopUpFixture(t)
	reviewers := []*apptest.Operator{f.checker(), f.checker2(), f.admin(), f.bothAdmin()}
	const rounds, perReviewer = 4, 6
	var ids []int64
	for range rounds {
		ids = append(ids, createTopUp(t, f.env, f.maker(), f.partner, "250.1234"))
	}
	approvedTotal := decimal.Zero
	for round, id := range ids {
		type result struct {
			action string
			status int
		}
		results := make(chan result, len(reviewers)*perReviewer+1)
		var wg sync.WaitGroup
		start := make(chan struct{})
		send := func(op *apptest.Operator, action string) {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPatch, f.env.Server.URL+requestPath(f.partner, id, action), nil)
			for k, v := range op.Headers() {
				req.Header.Set(k, v)
			}
			<-start
			res, err := f.env.Server.Client().Do(req)
			if err != nil {
				results <- result{action, -1}
				return
			}
			res.Body.Close()
			results <- result{action, res.StatusCode}
		}
		for i, op := range reviewers {
			for j := range perReviewer {
				// The first rounds race approvals only; later ones mix in rejections and the maker's cancel.
				action := "/approve"
				if round >= 2 && (i+j)%3 == 1 {
					action = "/reject"
				}
				wg.Add(1)
				go send(op, action)
			}
		}
		if round >= 2 {
			wg.Add(1)
			go send(f.maker(), "/cancel")
		}
		close(start)
		wg.Wait()
		close(results)
		wins := map[string]int{}
		for r := range results {
			switch r.status {
			case http.StatusNoContent:
				wins[r.action]++
			case http.StatusConflict:
			default:
				t.Errorf("round %d: %s answered %d", round, r.action, r.status)
			}
		}
		if wins["/approve"]+wins["/reject"]+wins["/cancel"] != 1 {
			t.Fatalf("round %d: %v decisions succeeded, want exactly one", round, wins)
		}
		if wins["/approve"] == 1 {
			approvedTotal = approvedTotal.Add(decimal.RequireFromString("250.1234"))
		}
	}
	if got := f.balance(t, f.partner); !got.Equal(approvedTotal) {
		t.Errorf("balance %s, want %s", got, approvedTotal)
	}
	var credits []struct {
		Reference string          `db:"reference"`
		Amount    decimal.Decimal `db:"amount"`
	}
	f.env.Store.DB().Select(&credits, `SELECT reference, amount FROM movements WHERE type = 'TOP_UP'`)
	seen := map[string]bool{}
	sum := decimal.Zero
	for _, c := range credits {
		if seen[c.Reference] {
			t.Errorf("%s credited twice", c.Reference)
		}
		seen[c.Reference] = true
		sum = sum.Add(c.Amount)
	}
	if !sum.Equal(approvedTotal) {
		t.Errorf("movements sum to %s, want %s", sum, approvedTotal)
	}
	var decided int
	f.env.Store.DB().Get(&decided, `SELECT count(*) FROM process_requests WHERE status <> 'PENDING'`)
	if decided != rounds {
		t.Errorf("%d requests decided, want %d", decided, rounds)
	}
}
