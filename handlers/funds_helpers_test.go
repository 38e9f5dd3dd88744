package handlers_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/shopspring/decimal"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store"
)

// fundsWorld is a partner with money on its balance, a cardholder with two active cards, a maker
// operator and an issuer application serving the partner.
type fundsWorld struct {
	t       *testing.T
	fx      *apptest.Fixture
	env     *apptest.Env
	partner int64
	holder  int64
	card    store.Card
	second  store.Card
	maker   *apptest.Operator
	issuer  map[string]string // headers of the issuer API
}

func newFundsWorld(t *testing.T, credit string) *fundsWorld {
	t.Helper()
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal Pay", "GTQ")
	if credit != "" {
		fx.Credit(credit)
	}
	h := fx.Cardholder()
	w := &fundsWorld{t: t, fx: fx, env: fx.Env, partner: fx.Partner, holder: h, card: fx.ActiveCard(h), second: fx.ActiveCard(h)}
	w.maker = fx.Role("maker", "maker")
	w.issuer = w.issuerHeaders("issuer app", fx.Partner)
	return w
}

// issuerHeaders registers an application serving the partners and returns its issuer API headers.
func (w *fundsWorld) issuerHeaders(name string, partners ...int64) map[string]string {
	w.t.Helper()
	app, err := w.env.Store.CreateApplication(context.Background(), store.SystemActor("test"), name, partners)
	if err != nil {
		w.t.Fatal(err)
	}
	res := w.env.Do(http.MethodPost, "/cms/rest/app/auth/login", nil, map[string]string{"merchant": app.Merchant, "secret": app.Secret})
	res.WantStatus(http.StatusOK)
	return map[string]string{"Authorization": "Bearer " + res.Data()["accessToken"].(string), "x-application-id": app.ApplicationID}
}

// holderPath is a CMS path under the world's cardholder.
func (w *fundsWorld) holderPath(rest string) string {
	return "/cms/rest/app/partners/" + itoa(w.partner) + "/cardholders/" + itoa(w.holder) + rest
}

// cardPath is a CMS path under one of the cardholder's cards.
func (w *fundsWorld) cardPath(cardID int64, rest string) string {
	return w.holderPath("/cards/" + itoa(cardID) + rest)
}

func (w *fundsWorld) balance(cardID int64) decimal.Decimal {
	w.t.Helper()
	var b decimal.Decimal
	err := w.env.Store.DB().GetContext(context.Background(), &b,
		`SELECT a.balance FROM cards c JOIN accounts a ON a.id = c.account_id WHERE c.id = $1`, cardID)
	if err != nil {
		w.t.Fatal(err)
	}
	return b
}

func (w *fundsWorld) partnerBalance() decimal.Decimal {
	w.t.Helper()
	b, err := w.env.Store.PartnerBalance(context.Background(), w.partner)
	if err != nil {
		w.t.Fatal(err)
	}
	return b.Available
}

// movementCount counts the movements of a card.
func (w *fundsWorld) movementCount(cardID int64) int {
	w.t.Helper()
	var n int
	if err := w.env.Store.DB().GetContext(context.Background(), &n, `SELECT count(*) FROM movements WHERE card_id = $1`, cardID); err != nil {
		w.t.Fatal(err)
	}
	return n
}

// wantBalance fails unless the card's balance is want.
func (w *fundsWorld) wantBalance(cardID int64, want string) {
	w.t.Helper()
	if got := w.balance(cardID); !got.Equal(decimal.RequireFromString(want)) {
		w.t.Fatalf("card %d balance %s, want %s", cardID, got, want)
	}
}

// wantPartnerBalance fails unless the partner's available balance is want.
func (w *fundsWorld) wantPartnerBalance(want string) {
	w.t.Helper()
	if got := w.partnerBalance(); !got.Equal(decimal.RequireFromString(want)) {
		w.t.Fatalf("partner balance %s, want %s", got, want)
	}
}

// ledgerConsistent checks that every account's balance equals the sum of its movements and the
// balance after its last movement.
func ledgerConsistent(t *testing.T, st *store.Store) {
	t.Helper()
	var bad []struct {
		ID      int64           `db:"id"`
		Balance decimal.Decimal `db:"balance"`
		Sum     decimal.Decimal `db:"sum"`
	}
	err := st.DB().SelectContext(context.Background(), &bad, `
		SELECT a.id, a.balance, COALESCE(SUM(CASE m.direction WHEN 'CREDIT' THEN m.amount ELSE -m.amount END), 0) AS sum
		FROM accounts a LEFT JOIN movements m ON m.account_id = a.id
		GROUP BY a.id
		HAVING a.balance <> COALESCE(SUM(CASE m.direction WHEN 'CREDIT' THEN m.amount ELSE -m.amount END), 0)
		    OR a.balance <> COALESCE((SELECT balance_after FROM movements l WHERE l.account_id = a.id ORDER BY l.id DESC LIMIT 1), 0)`)
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Fatalf("accounts whose balance is not the sum of their movements: %+v", bad)
	}
}
