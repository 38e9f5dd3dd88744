package handlers_test

import (
	"testing"

	"cardconsole/store"
)

// A chunk of cardholder rows is applied at once when it can be, and row by row when one row meets
// other data (a document already there, a named card already taken): each row keeps the outcome
// it has alone, valid rows are created once with one card each, and every created cardholder has
// its two audit entries (the create and the file's row).
func TestBulkCardholderChunkAtOnceOrRowByRowGivesEachRowItsOwnOutcome(t *testing.T) {
	t.Parallel()
	w := newBulkWorld(t)
	stock := chStock(t, w.env, w.partner, 8)

	// A clean chunk: applied at once.
	first := w.uploadOK(w.maker, "/cardholders/upload", "users", "a.csv",
		csvBytes(t, ',', cardholderHeader, holderRow(1, ""), holderRow(2, itoa(stock[7])), holderRow(3, "")))
	w.work()
	w.wantCounts(first, store.BatchCompleted, 3, 0)
	var named int64
	if err := w.env.Store.DB().Get(&named, `SELECT c.cardholder_id FROM cards c WHERE c.id = $1`, stock[7]); err != nil || named == 0 {
		t.Fatalf("the named card was not given: %v", err)
	}

	// A chunk with an invalid row only: the others at once, the invalid one refused on its own field.
	bad := holderRow(5, "")
	bad[8] = "not-an-email"
	second := w.uploadOK(w.maker, "/cardholders/upload", "users", "b.csv", csvBytes(t, ',', cardholderHeader, holderRow(4, ""), bad))
	w.work()
	w.wantCounts(second, store.BatchCompleted, 1, 1)

	// A chunk with a document already there and a named card already taken: row by row.
	third := w.uploadOK(w.maker, "/cardholders/upload", "users", "c.csv", csvBytes(t, ',', cardholderHeader,
		holderRow(6, ""), holderRow(1, ""), holderRow(7, itoa(stock[7])), holderRow(8, "")))
	w.work()
	w.wantCounts(third, store.BatchCompleted, 2, 2)
	if n := w.count(`SELECT count(*) FROM bulk_rows WHERE batch_id = $1 AND status = 'FAILED' AND error LIKE 'documentNumber:%'`, third); n != 1 {
		t.Fatalf("%d duplicate rows, want 1", n)
	}
	if n := w.count(`SELECT count(*) FROM bulk_rows WHERE batch_id = $1 AND status = 'FAILED' AND code = '7210'`, third); n != 1 {
		t.Fatalf("%d rows refused for a taken card, want 1", n)
	}
	if n := w.count(`SELECT count(*) FROM bulk_rows WHERE batch_id = $1 AND status = 'FAILED' AND error LIKE 'email:%'`, second); n != 1 {
		t.Fatalf("the invalid row is not refused on its email")
	}

	// Six cardholders, each with one card, each with its two audit entries; two stock cards left.
	if n := w.count(`SELECT count(*) FROM cardholders WHERE partner_id = $1`, w.partner); n != 6 {
		t.Fatalf("%d cardholders, want 6", n)
	}
	if n := w.count(`SELECT count(*) FROM cardholders ch WHERE (SELECT count(*) FROM cards c WHERE c.cardholder_id = ch.id) <> 1`); n != 0 {
		t.Fatalf("%d cardholders without exactly one card", n)
	}
	if n := w.count(`SELECT count(*) FROM cards WHERE partner_id = $1 AND cardholder_id IS NULL`, w.partner); n != 2 {
		t.Fatalf("%d stock cards left, want 2", n)
	}
	if n := w.count(`SELECT count(*) FROM audit_log a JOIN cardholders ch ON a.object_type = 'cardholder' AND a.object_id = ch.id::text
		WHERE a.action = 'cardholder.create'`); n != 6 {
		t.Fatalf("%d create entries, want 6", n)
	}
	if n := w.count(`SELECT count(*) FROM audit_log WHERE action = 'bulk.row' AND (after->>'cardholderId') IS NOT NULL
		AND (after->>'row') IS NOT NULL AND actor_label = $1`, w.maker.Email); n != 6 {
		t.Fatalf("%d row entries by the uploader, want 6", n)
	}
}
