package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/shopspring/decimal"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store"
	"cardconsole/store/storetest"
)

// api calls the applications API as the operator: the access token alone in Authorization.
func api(env *apptest.Env, op *apptest.Operator, method, path string, body any) *apptest.Response {
	env.T.Helper()
	if op.Token == "" {
		op.Login()
	}
	return env.Do(method, path, map[string]string{"Authorization": "Bearer " + op.Token}, body)
}

// queue is a partner with a client, two active cards and operators for the client requests tests.
type queue struct {
	env       *apptest.Env
	partner   int64
	client    int64
	card      store.Card
	card2     store.Card
	submitter *apptest.Operator // maker: submits requests
	checker   *apptest.Operator // decides them
}

func newQueue(t *testing.T) *queue {
	t.Helper()
	return newQueueOn(t, apptest.New(t, handlers.Routes))
}

// newQueueOn builds the client requests world on a running console.
func newQueueOn(t *testing.T, env *apptest.Env) *queue {
	t.Helper()
	fx := env.Fixture("Quetzal", "GTQ")
	q := &queue{env: env, partner: fx.Partner, client: fx.Cardholder()}
	q.card = fx.ActiveCard(q.client)
	q.card2 = fx.ActiveCard(q.client)
	q.submitter = fx.Role("maker", "maker")
	q.checker = fx.Role("checker", "checker")
	return q
}

// submit files a request as the submitter and returns its id.
func (q *queue) submit(t *testing.T, client int64, typ string, payload any) int64 {
	t.Helper()
	res := api(q.env, q.submitter, http.MethodPost, "/api/v2/applications",
		map[string]any{"clientId": client, "type": typ, "payload": payload}).WantStatus(http.StatusCreated)
	return int64(res.JSON()["id"].(float64))
}

// resolution creates an enabled resolution of the partner as the checker.
func (q *queue) resolution(t *testing.T, name string) int64 {
	t.Helper()
	res := api(q.env, q.checker, http.MethodPost, "/api/v2/resolutions",
		map[string]any{"partnerId": q.partner, "type": 1, "name": name, "text": "We could not accept it."}).WantStatus(http.StatusCreated)
	return int64(res.JSON()["id"].(float64))
}

// fund loads a card from the partner's balance, which is credited first.
func fund(t *testing.T, st *store.Store, partnerID int64, card store.Card, amount string) {
	t.Helper()
	storetest.CreditPartner(t, st, partnerID, amount)
	if _, err := st.AddFunds(context.Background(), store.SystemActor("test"), store.FundsOp{PartnerID: partnerID,
		CardID: card.ID, Amount: decimal.RequireFromString(amount), Channel: store.ChannelCMS}); err != nil {
		t.Fatalf("fund card: %v", err)
	}
}

// balance reads a card's stored balance as text.
func balance(t *testing.T, st *store.Store, cardID int64) string {
	t.Helper()
	var b string
	if err := st.DB().GetContext(context.Background(), &b, `SELECT a.balance::text FROM cards c JOIN accounts a ON a.id = c.account_id
		WHERE c.id = $1`, cardID); err != nil {
		t.Fatalf("read balance: %v", err)
	}
	return b
}

func path(format string, args ...any) string { return fmt.Sprintf(format, args...) }
