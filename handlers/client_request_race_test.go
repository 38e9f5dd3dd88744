package handlers_test

import (
	"bytes"
	"net/http"
	"sync"
	"testing"

	"cardconsole/internal/apptest"
)

// Many checkers deciding the same request at once: exactly one decision wins, the rest are 409.
func TestConcurrentDecisionsDecideOnce(t *testing.T) {
	t.Parallel()
	q := newQueue(t)
	resID := q.resolution(t, "Not eligible")
	checkers := []*apptest.Operator{q.checker}
	for i := range 5 {
		checkers = append(checkers, q.env.Operator(path("checker%d@example.com", i), false,
			apptest.Grant{Partner: q.partner, Roles: []string{"checker"}}).Login())
	}
	for round := range 3 {
		id := q.submit(t, q.client, "verification", map[string]any{"documentReference": path("DOC-%d", round)})
		var wg sync.WaitGroup
		statuses := make(chan int, 2*len(checkers))
		for i, op := range checkers {
			for _, action := range []string{"approve", "reject"} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					body := []byte(`{}`)
					if action == "reject" {
						body = []byte(`{"resolutionId":` + itoa(resID) + `}`)
					}
					req, _ := http.NewRequest(http.MethodPost, q.env.Server.URL+path("/api/v2/applications/%d/%s", id, action), bytes.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+op.Token)
					req.Header.Set("Content-Type", "application/json")
					res, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Errorf("checker %d: %v", i, err)
						return
					}
					res.Body.Close()
					statuses <- res.StatusCode
				}()
			}
		}
		wg.Wait()
		close(statuses)
		won, conflicts := 0, 0
		for s := range statuses {
			switch s {
			case http.StatusNoContent:
				won++
			case http.StatusConflict:
				conflicts++
			default:
				t.Errorf("unexpected status %d", s)
			}
		}
		if won != 1 || conflicts != 2*len(checkers)-1 {
			t.Fatalf("round %d: %d decisions won, %d conflicts", round, won, conflicts)
		}
		var decisions int
		if err := q.env.Store.DB().Get(&decisions, `SELECT count(*) FROM audit_log WHERE object_type = 'client_request'
			AND object_id = $1 AND action IN ('client_request.approve', 'client_request.reject')`, itoa(id)); err != nil {
			t.Fatal(err)
		}
		if decisions != 1 {
			t.Fatalf("round %d: %d decisions audited", round, decisions)
		}
	}
}
