package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"cardconsole/store"
)

func TestCanceledCardIsFinal(t *testing.T) {
	t.Parallel()
	w := newLifeWorld(t)
	w.load(w.card.ID, "75.5")
	w.maker.Do(http.MethodPatch, w.cardPath(w.card.ID, "/cancel"), map[string]any{"reason": "MISPLACED"}).
		WantError(http.StatusBadRequest, "7000")
	res := w.maker.Do(http.MethodPatch, w.cardPath(w.card.ID, "/cancel"), map[string]any{"reason": "STOLEN"})
	res.WantStatus(http.StatusOK)
	if res.Data()["status"] != store.CardCanceled {
		t.Fatalf("cancel: %s", res.Body)
	}
	for _, a := range []string{"activate", "block", "unblock", "cancel"} {
		w.maker.Do(http.MethodPatch, w.cardPath(w.card.ID, "/"+a), map[string]any{"reason": "LOST"}).WantError(http.StatusConflict, "7213")
		w.maker.Do(http.MethodPatch, w.partnerPath(fmt.Sprintf("/cards/%d/%s", w.card.ID, a)), nil)
		if w.cardStatus(w.card.ID) != store.CardCanceled {
			t.Fatalf("%s moved a CANCELED card to %s", a, w.cardStatus(w.card.ID))
		}
	}
	w.maker.Do(http.MethodPost, w.cardPath(w.card.ID, "/replace"), map[string]any{"reason": "LOST"}).WantError(http.StatusConflict, "7213")
	// The balance stays, cannot grow, and can still be unloaded.
	w.wantBalance(w.card.ID, "75.5")
	w.maker.Do(http.MethodPost, w.holderPath("/cards/funds/add"), map[string]any{"cardId": w.card.ID, "amount": "1"}).
		WantError(http.StatusConflict, "7213")
	w.maker.Do(http.MethodPost, w.holderPath("/cards/funds/withdraw"), map[string]any{"cardId": w.card.ID, "amount": "75.5"}).
		WantStatus(http.StatusOK)
	w.wantBalance(w.card.ID, "0")
	w.wantTotal()
	// The history keeps every transition with its reason and channel.
	res = w.maker.Do(http.MethodGet, w.cardPath(w.card.ID, "/history"), nil).WantStatus(http.StatusOK)
	var hist struct {
		Data []store.CardTransition `json:"data"`
	}
	res.Decode(&hist)
	last := hist.Data[len(hist.Data)-1]
	if len(hist.Data) != 2 || last.From != store.CardActive || last.To != store.CardCanceled || last.Reason != "STOLEN" ||
		last.Channel != store.ChannelCMS {
		t.Fatalf("history: %+v", hist.Data)
	}
}

func TestReplaceCardMovesTheExactBalanceOnce(t *testing.T) {
	t.Parallel()
	w := newLifeWorld(t)
	w.load(w.card.ID, "123.4567")
	stock := chStock(t, w.env, w.partner, 2)
	res := w.maker.Do(http.MethodPost, w.cardPath(w.card.ID, "/replace"), map[string]any{"reason": "LOST"})
	res.WantStatus(http.StatusOK)
	var out struct {
		Data struct {
			Card      store.Card `json:"card"`
			OldCardID int64      `json:"oldCardId"`
			EntryID   string     `json:"entryId"`
		} `json:"data"`
	}
	res.Decode(&out)
	fresh := out.Data.Card
	if fresh.ID != stock[0] || fresh.Status != store.CardActive || *fresh.CardholderID != w.holder ||
		fresh.Balance.String() != "123.4567" {
		t.Fatalf("new card: %+v", fresh)
	}
	w.wantBalance(w.card.ID, "0")
	w.wantBalance(fresh.ID, "123.4567")
	if w.cardStatus(w.card.ID) != store.CardCanceled {
		t.Fatal("the replaced card is not CANCELED")
	}
	// Two linked movements, one on each card, once.
	var moves []struct {
		CardID int64  `db:"card_id"`
		Type   string `db:"type"`
	}
	if err := w.env.Store.DB().SelectContext(context.Background(), &moves, `SELECT card_id, type FROM movements
		WHERE entry_id = $1 ORDER BY card_id`, out.Data.EntryID); err != nil {
		t.Fatal(err)
	}
	if len(moves) != 2 || moves[0].Type != store.MovementReplacementOut || moves[1].Type != store.MovementReplacementIn {
		t.Fatalf("replacement movements: %+v", moves)
	}
	if w.movementCount(fresh.ID) != 1 {
		t.Fatalf("the new card has %d movements", w.movementCount(fresh.ID))
	}
	// A second replacement of the same card is refused; the named card must be stock.
	w.maker.Do(http.MethodPost, w.cardPath(w.card.ID, "/replace"), map[string]any{"reason": "LOST"}).WantError(http.StatusConflict, "7213")
	w.maker.Do(http.MethodPost, w.cardPath(w.second.ID, "/replace"), map[string]any{"reason": "DAMAGED", "newCardId": fresh.ID}).
		WantError(http.StatusConflict, "7210")
	res = w.maker.Do(http.MethodPost, w.cardPath(w.second.ID, "/replace"), map[string]any{"reason": "DAMAGED", "newCardId": stock[1]})
	res.WantStatus(http.StatusOK)
	w.wantBalance(w.card.ID, "0")
	w.wantBalance(fresh.ID, "123.4567")
	w.wantTotal()
}
