package handlers_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/shopspring/decimal"

	"cardconsole/internal/apptest"
)

// lifeWorld is a funds world with two checkers (who may request and approve reversals) and an
// operator with an authenticator who may close cardholders.
type lifeWorld struct {
	*fundsWorld
	checker, checker2, closer *apptest.Operator
}

func newLifeWorld(t *testing.T) *lifeWorld {
	t.Helper()
	w := &lifeWorld{fundsWorld: newFundsWorld(t, "1000")}
	w.checker = w.fx.Role("checker", "checker")
	w.checker2 = w.fx.Role("checker2", "checker")
	w.closer = w.fx.Member("closer", true, roleGrant(w.partner, "maker")).Login()
	return w
}

// load puts amount on a card of the cardholder through the API and returns the card's movement id.
func (w *lifeWorld) load(cardID int64, amount string) int64 {
	w.t.Helper()
	res := w.maker.Do(http.MethodPost, w.holderPath("/cards/funds/add"), map[string]any{"cardId": cardID, "amount": amount})
	res.WantStatus(http.StatusOK)
	return int64(res.Data()["movements"].([]any)[0].(map[string]any)["id"].(float64))
}

// partnerPath is a CMS path of the world's partner.
func (w *lifeWorld) partnerPath(rest string) string {
	return "/cms/rest/app/partners/" + itoa(w.partner) + rest
}

// requestReversal asks for the reversal of a movement of the card and returns its id.
func (w *lifeWorld) requestReversal(op *apptest.Operator, cardID, movementID int64) int64 {
	w.t.Helper()
	res := op.Do(http.MethodPost, w.cardPath(cardID, "/movements/"+itoa(movementID)+"/revert"), map[string]string{"reason": "loaded by mistake"})
	res.WantStatus(http.StatusCreated)
	return int64(res.Data()["id"].(float64))
}

// total is the money of the partner: its balance plus every card's.
func (w *lifeWorld) total() decimal.Decimal {
	w.t.Helper()
	var sum decimal.Decimal
	if err := w.env.Store.DB().GetContext(context.Background(), &sum,
		`SELECT COALESCE(sum(balance), 0) FROM accounts WHERE partner_id = $1`, w.partner); err != nil {
		w.t.Fatal(err)
	}
	return sum
}

// wantTotal fails unless the partner's money is 1000, what the world was credited with.
func (w *lifeWorld) wantTotal() {
	w.t.Helper()
	if got := w.total(); !got.Equal(decimal.RequireFromString("1000")) {
		w.t.Fatalf("the partner's money is %s, want 1000", got)
	}
	ledgerConsistent(w.t, w.env.Store)
}

// cardStatus reads a card's status.
func (w *lifeWorld) cardStatus(cardID int64) string {
	w.t.Helper()
	return chStatus(w.t, w.env, w.partner, cardID)
}

// roleGrant is a grant of one role plus extra permissions on the partner.
func roleGrant(partner int64, role string, permissions ...string) apptest.Grant {
	return apptest.Grant{Partner: partner, Roles: []string{role}, Permissions: permissions}
}
