package handlers_test

import (
	"net/http"
	"sort"
	"testing"
	"time"

	"cardconsole/store"
	"cardconsole/store/storetest"
)

type activityPage struct {
	Data struct {
		Items []store.Activity `json:"items"`
		Total int              `json:"total"`
	} `json:"data"`
}

func TestActivityOrderAndScope(t *testing.T) {
	w := newLifeWorld(t)
	other := storetest.Cardholder(t, w.env.Store, w.partner)
	otherCard := storetest.ActiveCard(t, w.env.Store, w.partner, other)
	w.maker.Do(http.MethodPatch, w.holderPath(""), map[string]any{"phoneNumber": "50255554321"}).WantStatus(http.StatusOK)
	load := w.load(w.card.ID, "20")
	w.maker.Do(http.MethodPost, w.partnerPath("/cardholders/"+itoa(other)+"/cards/funds/add"),
		map[string]any{"cardId": otherCard.ID, "amount": "5"}).WantStatus(http.StatusOK)
	w.maker.Do(http.MethodPost, w.holderPath(""), nil).WantStatus(http.StatusOK) // a read of the personal data
	w.maker.Do(http.MethodPatch, w.cardPath(w.second.ID, "/cancel"), map[string]any{"reason": "LOST"}).WantStatus(http.StatusOK)
	w.requestReversal(w.checker, w.card.ID, load)

	get := func(path string) activityPage {
		t.Helper()
		var p activityPage
		w.maker.Do(http.MethodGet, path, nil).WantStatus(http.StatusOK).Decode(&p)
		return p
	}
	all := get(w.holderPath("/activity?limit=100"))
	kinds := map[string]int{}
	for i, it := range all.Data.Items {
		kinds[it.Kind]++
		if i > 0 && it.At.After(all.Data.Items[i-1].At) {
			t.Fatalf("line %d is newer than the one before: %+v", i, all.Data.Items)
		}
		if it.CardID != nil && *it.CardID == otherCard.ID {
			t.Fatalf("another cardholder's card in the timeline: %+v", it)
		}
	}
	for _, k := range []string{store.ActivityProfile, store.ActivityFunds, store.ActivityCard, store.ActivityRead, store.ActivityReversal} {
		if kinds[k] == 0 {
			t.Fatalf("no %s line: %v", k, kinds)
		}
	}
	if all.Data.Total != len(all.Data.Items) {
		t.Fatalf("total %d for %d lines", all.Data.Total, len(all.Data.Items))
	}
	// Pages cut the same list.
	first, second := get(w.holderPath("/activity?limit=2")), get(w.holderPath("/activity?limit=2&page=2"))
	if first.Data.Total != all.Data.Total || len(second.Data.Items) != 2 ||
		second.Data.Items[0].SourceID != all.Data.Items[2].SourceID {
		t.Fatalf("pages: %+v %+v", first.Data, second.Data)
	}
	// A card's timeline has that card only; the kind filter keeps one kind.
	card := get(w.cardPath(w.card.ID, "/activity"))
	for _, it := range card.Data.Items {
		if it.CardID == nil || *it.CardID != w.card.ID {
			t.Fatalf("card timeline line of something else: %+v", it)
		}
	}
	funds := get(w.holderPath("/activity?kind=funds"))
	if len(funds.Data.Items) == 0 {
		t.Fatal("no funds line")
	}
	for _, it := range funds.Data.Items {
		if it.Kind != store.ActivityFunds {
			t.Fatalf("kind=funds kept %+v", it)
		}
	}
	sorted := sort.SliceIsSorted(card.Data.Items, func(i, j int) bool { return card.Data.Items[i].At.After(card.Data.Items[j].At) })
	if !sorted || time.Since(card.Data.Items[0].At) > time.Hour {
		t.Fatalf("card timeline order: %+v", card.Data.Items)
	}
	w.maker.Do(http.MethodGet, w.holderPath("/activity?kind=gossip"), nil).WantError(http.StatusBadRequest, "7000")
	w.maker.Do(http.MethodGet, w.cardPath(otherCard.ID, "/activity"), nil).WantError(http.StatusNotFound, "7200")
}
