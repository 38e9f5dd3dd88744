package main

import (
	"context"
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"

	"cardconsole/store"
)

// readmeNumber reads the number the README states in the sentence pattern matches, spelled in
// digits or as an English word up to ten.
func readmeNumber(t *testing.T, readme []byte, pattern string) int {
	t.Helper()
	m := regexp.MustCompile(pattern).FindSubmatch(readme)
	if m == nil {
		t.Fatalf("the README no longer says %q", pattern)
	}
	words := map[string]int{"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
	if n, ok := words[string(m[1])]; ok {
		return n
	}
	n, err := strconv.Atoi(string(m[1]))
	if err != nil {
		t.Fatalf("README %q: %v", m[0], err)
	}
	return n
}

// TestDemoDataIsWhatTheReadmeSays loads the demo data and checks it against the README's promises:
// the number of cardholders, those with two ACTIVE cards, the stock cards, loaded cards with
// movements this month, a statement with rows, and the checker's two partners.
func TestDemoDataIsWhatTheReadmeSays(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	holders := readmeNumber(t, readme, `demo\s+data\s+has\s+(\d+)\s+cardholders`)
	twoActive := readmeNumber(t, readme, `cardholders\s+\((\w+)\s+with\s+two\s+ACTIVE\s+cards`)
	stock := readmeNumber(t, readme, `(\d+)\s+stock\s+cards\s+per\s+partner`)
	if !regexp.MustCompile("`checker@demo.test`\\s+\\(checker\\s+on\\s+both\\s+partners\\)").Match(readme) {
		t.Fatal("the README no longer says the checker works on both partners")
	}

	commandDatabase(t)
	runJSON(t, "seed", "--demo")
	ctx := context.Background()
	st, err := openStore(ctx, commandConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	db := st.DB()

	var got int
	if err := db.GetContext(ctx, &got, `SELECT count(*) FROM cardholders`); err != nil || got != holders {
		t.Errorf("%d cardholders (%v), the README says %d", got, err, holders)
	}
	if err := db.GetContext(ctx, &got, `SELECT count(*) FROM (SELECT cardholder_id FROM cards
		WHERE status = 'ACTIVE' AND cardholder_id IS NOT NULL GROUP BY cardholder_id HAVING count(*) = 2) two`); err != nil || got != twoActive {
		t.Errorf("%d cardholders with two ACTIVE cards (%v), the README says %d", got, err, twoActive)
	}
	var perPartner []int
	if err := db.SelectContext(ctx, &perPartner, `SELECT count(c.id) FROM partners p
		LEFT JOIN cards c ON c.partner_id = p.id AND c.cardholder_id IS NULL AND c.status = 'INACTIVE' GROUP BY p.id`); err != nil {
		t.Fatal(err)
	}
	for _, n := range perPartner {
		if n != stock {
			t.Errorf("a partner has %d stock cards, the README says %d", n, stock)
		}
	}

	// Every ACTIVE card of a cardholder was loaded this month, so its statement has rows.
	var active []struct {
		ID           int64  `db:"id"`
		PartnerID    int64  `db:"partner_id"`
		CardholderID int64  `db:"cardholder_id"`
		TimeZone     string `db:"time_zone"`
	}
	if err := db.SelectContext(ctx, &active, `SELECT c.id, c.partner_id, c.cardholder_id, p.time_zone FROM cards c
		JOIN partners p ON p.id = c.partner_id JOIN accounts a ON a.id = c.account_id
		WHERE c.status = 'ACTIVE' AND c.cardholder_id IS NOT NULL ORDER BY c.id`); err != nil {
		t.Fatal(err)
	}
	if len(active) == 0 {
		t.Fatal("no ACTIVE cards in the demo data")
	}
	for _, c := range active {
		loc, err := time.LoadLocation(c.TimeZone)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().In(loc)
		first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
		f := store.StatementFilter{MovementFilter: store.MovementFilter{PartnerID: c.PartnerID, CardID: c.ID,
			From: first.Format(store.DateLayout), To: now.Format(store.DateLayout)}}
		totals, err := st.StatementTotalsOf(ctx, f)
		if err != nil {
			t.Fatalf("statement of card %d: %v", c.ID, err)
		}
		if totals.Count() == 0 || !totals.Closing.IsPositive() {
			t.Errorf("card %d of cardholder %d: %d movements this month, closing balance %s", c.ID, c.CardholderID,
				totals.Count(), totals.Closing)
		}
	}
	// Some cardholders moved money between their two cards.
	if err := db.GetContext(ctx, &got, `SELECT count(*) FROM movements WHERE type = 'TRANSFER_IN'`); err != nil || got < twoActive {
		t.Errorf("%d transfers between cards (%v), want one per cardholder with two ACTIVE cards", got, err)
	}

	checker, err := st.OperatorByEmail(ctx, "checker@demo.test")
	if err != nil {
		t.Fatal(err)
	}
	ids, err := st.PartnerIDsFor(ctx, checker.ID, "approvals:update")
	if err != nil || len(ids) != 2 {
		t.Errorf("the checker approves on %v (%v), the README says both partners", ids, err)
	}
}
