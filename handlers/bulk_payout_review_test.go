package handlers_test

import (
	"bytes"
	"net/http"
	"strconv"
	"testing"

	"cardconsole/internal/apptest"
)

// The checker reviews the first rows of a payout file below its totals: the card, its holder (with
// the document masked for an operator who needs a code for personal data), the amount, the
// reference and the check a row failed, in the console's language.
func TestPayoutReviewShowsTheFirstRowsMaskedAsOnScreen(t *testing.T) {
	t.Parallel()
	w := newBulkWorld(t)
	cardA, docA := w.holder()
	_, docB := w.holder()
	rows := [][]string{
		{itoa(cardA.ID), "", "", "80", "P-1", "salary"},
		{"", "DPI", docB, "12.5", "P-2", ""},
		{"999999999", "", "", "5", "P-3", ""},
	}
	for i := 4; i <= 25; i++ {
		rows = append(rows, []string{itoa(cardA.ID), "", "", "1", "P-" + strconv.Itoa(i), ""})
	}
	id := w.uploadOK(w.maker, "/disbursements/upload", "file", "pay.csv", csvBytes(t, ',', append([][]string{payoutHeader}, rows...)...))
	w.work()
	w.wantCounts(id, "PENDING_APPROVAL", 0, 1)
	path := partnerPath(w.partner, "/bulk")

	// A checker reading in Spanish: 20 rows of 25, the full document.
	checker := w.env.Console()
	checker.Lang = "es-GT,es;q=0.9"
	checker.Login(w.checker.Email, apptest.Password)
	page := checker.Get(path, true).WantStatus(http.StatusOK)
	page.Contains(`data-testid="payout-preview"`, "Filas 1–20 de 25", "Tarjetahabiente", "Referencia",
		"•••• "+cardA.Last4, "Ana Pérez · DPI "+docA, "Ana Pérez · DPI "+docB, "Q 80.00", "Q 12.50", "P-1", "P-2", "P-20",
		"cardId: card not found", "A pagar").Lacks("P-21", "P-25")
	if n := bytes.Count(page.Body, []byte(`data-testid="payout-preview-row"`)); n != 20 {
		t.Fatalf("%d preview rows, want 20", n)
	}
	// The totals and the balance cover stay above the rows.
	if total, preview := bytes.Index(page.Body, []byte(`data-testid="payout-covered"`)), bytes.Index(page.Body, []byte(`data-testid="payout-preview"`)); total < 0 || total > preview {
		t.Fatalf("the totals are not above the first rows")
	}

	// A checker who needs a code for personal data, reading in English: the documents masked as in the list.
	masked := w.env.Operator("masked-checker@example.com", true, apptest.Grant{Partner: w.partner,
		Permissions: []string{"approvals:update", "approvals:list", "cardholders:otp"}})
	en := w.env.Console()
	en.Lang = "en"
	en.Login(masked.Email, apptest.Password)
	en.Get(path, true).WantStatus(http.StatusOK).
		Contains("Rows 1–20 of 25", "Cardholder", "Reference", "Payable", "•••• "+cardA.Last4, "Ana Pérez · DPI ••••"+docA[len(docA)-4:]).
		Lacks(docA, docB)

	// Once the file is decided it is no longer under review.
	w.checker.Do(http.MethodPatch, partnerPath(w.partner, "/disbursements/"+itoa(id)+"/reject"), map[string]string{"reason": "wrong month"}).
		WantStatus(http.StatusOK)
	checker.Get(path, true).WantStatus(http.StatusOK).Lacks(`data-testid="payout-preview"`)
}
