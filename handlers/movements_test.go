package handlers_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"cardconsole/internal/apptest"
)

// datedHistory writes six movements on the world's card and moves them to chosen instants (in id
// order, as the ledger would have written them), returning their card-side movement ids.
func datedHistory(t *testing.T, w *fundsWorld) []int64 {
	t.Helper()
	steps := []struct {
		op, amount, at string
	}{
		{"ADD_FUNDS", "100", "2026-02-20T12:00:00Z"},
		{"ADD_FUNDS", "10", "2026-03-01T05:59:00Z"},      // Feb 28 23:59 in Guatemala
		{"WITHDRAW_FUNDS", "30", "2026-03-01T06:00:00Z"}, // Mar 1 00:00 in Guatemala
		{"ADD_FUNDS", "5", "2026-03-31T23:00:00Z"},
		{"WITHDRAW_FUNDS", "1", "2026-04-01T05:00:00Z"}, // still Mar 31 in Guatemala
		{"ADD_FUNDS", "1", "2026-04-01T06:00:00Z"},
	}
	var ids []int64
	for i, s := range steps {
		res := w.issuerDo(http.MethodPost, w.card.ID, map[string]any{"amount": s.amount, "operation": s.op, "channel": "WEB",
			"reference": "H-" + itoa(int64(i))}).WantStatus(http.StatusOK)
		d := res.Data()
		at, _ := time.Parse(time.RFC3339, s.at)
		if _, err := w.env.Store.DB().ExecContext(context.Background(), `UPDATE movements SET created_at = $1 WHERE entry_id = $2`,
			at, d["entryId"]); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, int64(d["movements"].([]any)[0].(map[string]any)["id"].(float64)))
	}
	return ids
}

func TestReconciliationFeedFollowsThePartnerTimeZone(t *testing.T) {
	t.Parallel()
	w := newFundsWorld(t, "1000")
	ids := datedHistory(t, w)
	feed := func(month, year string) map[string]any {
		return w.env.Do(http.MethodGet, "/rest/cards/"+itoa(w.card.ID)+"/transfers/"+month+"/"+year, w.issuer, nil).WantStatus(200).Data()
	}
	check := func(d map[string]any, opening, closing float64, want ...int64) {
		t.Helper()
		if d["openingBalance"] != opening || d["closingBalance"] != closing {
			t.Errorf("%v/%v: opening %v closing %v, want %v %v", d["month"], d["year"], d["openingBalance"], d["closingBalance"], opening, closing)
		}
		movs := d["movements"].([]any)
		var got []int64
		sum := opening
		for _, m := range movs {
			mm := m.(map[string]any)
			got = append(got, int64(mm["id"].(float64)))
			if mm["direction"] == "DEBIT" {
				sum -= mm["amount"].(float64)
			} else {
				sum += mm["amount"].(float64)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%v/%v: movements %v, want %v", d["month"], d["year"], got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%v/%v: movements %v, want %v", d["month"], d["year"], got, want)
			}
		}
		if sum != closing {
			t.Errorf("opening plus movements = %v, closing %v", sum, closing)
		}
	}
	march := feed("3", "2026")
	if march["timeZone"] != "America/Guatemala" || march["from"] != "2026-03-01T06:00:00Z" || march["to"] != "2026-04-01T06:00:00Z" ||
		march["currency"] != "GTQ" || march["totalCredits"] != 5.0 || march["totalDebits"] != 31.0 {
		t.Fatalf("march header: %v", march)
	}
	check(march, 110, 84, ids[2], ids[3], ids[4])
	check(feed("2", "2026"), 0, 110, ids[0], ids[1])
	check(feed("04", "2026"), 84, 85, ids[5])
	check(feed("5", "2026"), 85, 85)
	check(feed("1", "2026"), 0, 0)

	if _, err := w.env.Store.DB().ExecContext(context.Background(), `UPDATE partners SET time_zone = 'Asia/Tokyo' WHERE id = $1`, w.partner); err != nil {
		t.Fatal(err)
	}
	check(feed("3", "2026"), 100, 80, ids[1], ids[2])

	for _, bad := range []string{"13/2026", "0/2026", "x/2026", "3/26"} {
		w.env.Do(http.MethodGet, "/rest/cards/"+itoa(w.card.ID)+"/transfers/"+bad, w.issuer, nil).WantError(400, "7000")
	}
}

func TestMovementsListFilterSortPageAndDetail(t *testing.T) {
	t.Parallel()
	w := newFundsWorld(t, "1000")
	ids := datedHistory(t, w)
	list := func(q string) map[string]any {
		return w.maker.Do(http.MethodGet, w.cardPath(w.card.ID, "/movements"+q), nil).WantStatus(200).Data()
	}
	itemIDs := func(d map[string]any) []int64 {
		var out []int64
		for _, m := range d["items"].([]any) {
			out = append(out, int64(m.(map[string]any)["id"].(float64)))
		}
		return out
	}
	same := func(got []int64, want ...int64) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("ids %v, want %v", got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("ids %v, want %v", got, want)
			}
		}
	}
	d := list("")
	if d["total"] != 6.0 || d["page"] != 1.0 || d["limit"] != 10.0 {
		t.Fatalf("list: %v", d)
	}
	same(itemIDs(d), ids[5], ids[4], ids[3], ids[2], ids[1], ids[0]) // newest first by default
	same(itemIDs(list("?from=2026-03-01&to=2026-03-31&sortOrder=asc")), ids[2], ids[3], ids[4])
	same(itemIDs(list("?sortBy=amount&sortOrder=asc&limit=2&page=2")), ids[3], ids[1]) // amounts 1,1,5,10,30,100: page 2 is 5 then 10
	same(itemIDs(list("?sortBy=amount&sortOrder=asc&limit=2&page=1")), ids[4], ids[5])
	if d := list("?sortBy=amount&sortOrder=asc&limit=2&page=2"); d["total"] != 6.0 || d["page"] != 2.0 {
		t.Fatalf("page 2: %v", d)
	}
	first := list("?sortBy=balanceAfter&sortOrder=desc&limit=1")["items"].([]any)[0].(map[string]any)
	if first["balanceAfter"] != 110.0 {
		t.Fatalf("highest running balance: %v", first)
	}
	for _, q := range []string{"?sortBy=password", "?sortOrder=sideways", "?from=March", "?from=2026-04-01&to=2026-03-01"} {
		w.maker.Do(http.MethodGet, w.cardPath(w.card.ID, "/movements"+q), nil).WantError(400, "7000")
	}

	detail := w.maker.Do(http.MethodGet, w.cardPath(w.card.ID, "/movements/"+itoa(ids[2])), nil).WantStatus(200).Data()
	if detail["id"] != float64(ids[2]) || detail["type"] != "WITHDRAW_FUNDS" || detail["balanceAfter"] != 80.0 || detail["reference"] != "H-2" {
		t.Fatalf("detail: %v", detail)
	}
	// A movement is only found under its own card, cardholder and partner.
	w.maker.Do(http.MethodGet, w.cardPath(w.second.ID, "/movements/"+itoa(ids[2])), nil).WantError(404, "7010")
	var partnerSide int64
	if err := w.env.Store.DB().GetContext(context.Background(), &partnerSide, `SELECT id FROM movements WHERE card_id IS NULL LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	w.maker.Do(http.MethodGet, w.cardPath(w.card.ID, "/movements/"+itoa(partnerSide)), nil).WantError(404, "7010")
	w.maker.Do(http.MethodGet, w.cardPath(w.card.ID, "/movements/abc"), nil).WantError(404, "7010")
	stranger := w.env.Operator("stranger@example.com", false, apptest.Grant{Partner: w.env.Partner("Else", "GTQ"), Roles: []string{"admin"}}).Login()
	stranger.Do(http.MethodGet, w.cardPath(w.card.ID, "/movements"), nil).WantError(403, "7005")
	noList := w.env.Operator("nolist@example.com", false, apptest.Grant{Partner: w.partner, Permissions: []string{"cards-admin:detail"}}).Login()
	noList.Do(http.MethodGet, w.cardPath(w.card.ID, "/movements"), nil).WantError(403, "7005")
	noList.Do(http.MethodGet, w.cardPath(w.card.ID, "/movements/"+itoa(ids[0])), nil).WantError(403, "7005")

	// Transfers name the other card.
	w.maker.Do(http.MethodPost, w.holderPath("/cards/transfers"), map[string]any{"fromCardId": w.card.ID, "toCardId": w.second.ID, "amount": 2}).WantStatus(200)
	in := w.maker.Do(http.MethodGet, w.cardPath(w.second.ID, "/movements"), nil).WantStatus(200).Data()["items"].([]any)[0].(map[string]any)
	if in["type"] != "TRANSFER_IN" || in["counterpartCardId"] != float64(w.card.ID) || in["counterpartLast4"] != w.card.Last4 {
		t.Fatalf("transfer in: %v", in)
	}
}
