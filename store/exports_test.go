package store_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"cardconsole/store"
	"cardconsole/store/storetest"
)

// The list downloads read on the replica when there is one: a second database stands for it, with
// other rows than the primary, so the counts tell where each download read.
func TestListExportsReadOnTheReplica(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	replicaURL := storetest.NewURL(t)
	replica, err := store.Open(ctx, replicaURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { replica.Close() })
	var cards []store.Card
	for db, holders := range map[*store.Store]int{st: 1, replica: 3} {
		p, err := db.CreatePartner(ctx, sys, "Quetzal", "GTQ")
		if err != nil {
			t.Fatal(err)
		}
		for range holders {
			card := storetest.ActiveCard(t, db, p.ID, storetest.Cardholder(t, db, p.ID))
			if db == replica {
				cards = append(cards, card)
			}
		}
	}
	storetest.CreditPartner(t, replica, 1, "100")
	storetest.CardMovementAt(t, replica, cards[0], "10", time.Now(), "R1", "")
	storetest.CardMovementAt(t, replica, cards[0], "5", time.Now(), "R2", "")
	if err := st.UseReplica(replicaURL, time.Second, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}

	count := func(what string, each func(n *int) error, want int) {
		t.Helper()
		n := 0
		if err := each(&n); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if n != want {
			t.Errorf("%s: %d rows, want the replica's %d", what, n, want)
		}
	}
	count("cardholders", func(n *int) error {
		return st.EachCardholder(ctx, sys, store.CardholderFilter{PartnerID: 1}, func(store.CardholderSummary) error { *n++; return nil })
	}, 3)
	count("cards", func(n *int) error {
		return st.EachCard(ctx, store.CardFilter{PartnerID: 1}, func(store.Card) error { *n++; return nil })
	}, 3)
	count("movements", func(n *int) error {
		return st.EachMovement(ctx, store.MovementFilter{PartnerID: 1, CardID: cards[0].ID}, func(store.MovementRow) error { *n++; return nil })
	}, 2)
	count("audit log", func(n *int) error {
		return st.EachAuditEntry(ctx, store.AuditFilter{PartnerIDs: []int64{1}, Action: "card.assign"}, func(store.AuditEntry) error { *n++; return nil })
	}, 3)
}
