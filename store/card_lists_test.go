package store_test

import (
	"context"
	"testing"

	"cardconsole/store"
	"cardconsole/store/storetest"
)

// TestCardListsKeepAssignedCardsWithoutTagRestriction: a filter without tags (an operator with no
// restriction, or a command) lists the cards given to cardholders as well as the stock cards.
func TestCardListsKeepAssignedCardsWithoutTagRestriction(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := context.Background()
	p, err := st.CreatePartner(ctx, store.SystemActor("test"), "Acme", "GTQ")
	if err != nil {
		t.Fatal(err)
	}
	card := storetest.ActiveCard(t, st, p.ID, storetest.Cardholder(t, st, p.ID))
	for name, tags := range map[string][]string{"nil": nil, "empty": {}} {
		cards, total, err := st.ListCards(ctx, store.CardFilter{PartnerID: p.ID, Status: store.CardActive, Page: store.NewPage(1, 10), Tags: tags})
		if err != nil || total != 1 || len(cards) != 1 || cards[0].ID != card.ID {
			t.Errorf("%s tags: ACTIVE cards %v (total %d, %v), want card %d", name, cards, total, err, card.ID)
		}
	}
}
