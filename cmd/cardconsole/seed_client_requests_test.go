package main

import (
	"context"
	"testing"

	"cardconsole/store"
)

func TestDemoHasAQueueOfEveryRequestType(t *testing.T) {
	commandDatabase(t)
	runJSON(t, "seed", "--demo")
	ctx := context.Background()
	st, err := openStore(ctx, commandConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	checker, err := st.OperatorByEmail(ctx, "checker@demo.test")
	if err != nil {
		t.Fatal(err)
	}
	pending, err := st.CountPendingRequests(ctx, store.OperatorViewer(checker.ID, "approvals:list"))
	if err != nil || pending != len(store.RequestTypes) {
		t.Fatalf("checker sees %d pending requests (%v), want %d", pending, err, len(store.RequestTypes))
	}
	var quetzal int64
	if err := st.DB().GetContext(ctx, &quetzal, `SELECT id FROM partners WHERE name = 'Quetzal Pay'`); err != nil {
		t.Fatal(err)
	}
	enabled := true
	res, total, err := st.ListResolutions(ctx, store.OperatorViewer(checker.ID, "approvals:list"),
		store.ResolutionFilter{PartnerID: quetzal, Enabled: &enabled, Limit: 100})
	if err != nil || total != 5 || len(res) != 5 {
		t.Fatalf("checker's enabled resolutions of Quetzal Pay: %d (%v)", total, err)
	}
	// Every demo request can be approved by the checker: the cards and balances are there.
	reqs, _, err := st.ListClientRequests(ctx, store.OperatorViewer(checker.ID, "approvals:list"), store.ClientRequestFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	actor := store.Actor{Type: store.ActorOperator, OperatorID: checker.ID, Label: checker.Email}
	for _, r := range reqs {
		if err := st.ApproveClientRequest(ctx, actor, store.OperatorViewer(checker.ID, "approvals:update"), r.ID, nil); err != nil {
			t.Errorf("approving the demo %s request: %v", r.Type, err)
		}
	}
}
