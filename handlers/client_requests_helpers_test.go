package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"cardconsole/store"
	"cardconsole/store/storetest"
	"cardconsole/web/webtest"
)

// api calls the applications API as the operator: the access token alone in Authorization.
func api(env *webtest.Env, op *webtest.Operator, method, path string, body any) *webtest.Response {
	env.T.Helper()
	if op.Token == "" {
		op.Login()
	}
	return env.Do(method, path, map[string]string{"Authorization": "Bearer " + op.Token}, body)
}

// consoleLogin signs the operator in through the login form.
func consoleLogin(t *testing.T, env *webtest.Env, email string) *webtest.Console {
	t.Helper()
	cl := env.Console()
	cl.Login(email, webtest.Password).WantStatus(http.StatusSeeOther)
	return cl
}

// htmxWith sends an HTMX request with extra headers (HX-Target) and a form.
func htmxWith(cl *webtest.Console, env *webtest.Env, method, path string, form url.Values, headers map[string]string) *webtest.Response {
	env.T.Helper()
	req, _ := http.NewRequest(method, env.Server.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	req.Header.Set("HX-Request", "true")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return cl.Do(req)
}

// wantHTML fails unless the response is HTML containing every fragment; full says whether it must
// be a whole page (with the layout) or a fragment.
func wantHTML(t *testing.T, res *webtest.Response, full bool, fragments ...string) {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("content type %q, want HTML; body: %s", ct, res.Body)
	}
	body := string(res.Body)
	if isPage := strings.Contains(body, "<!doctype html>") || strings.Contains(body, "<html"); isPage != full {
		t.Fatalf("full page = %v, want %v: %.300s", isPage, full, body)
	}
	for _, f := range fragments {
		if !strings.Contains(body, f) {
			t.Fatalf("response lacks %q: %s", f, body)
		}
	}
}

// queue is a partner with a client, two active cards and operators for the client requests tests.
type queue struct {
	env       *webtest.Env
	partner   int64
	client    int64
	card      store.Card
	card2     store.Card
	submitter *webtest.Operator // maker: submits requests
	checker   *webtest.Operator // decides them
}

func newQueue(t *testing.T) *queue {
	t.Helper()
	env := webtest.New(t)
	q := &queue{env: env, partner: env.Partner("Quetzal", "GTQ")}
	q.client = storetest.Cardholder(t, env.Store, q.partner)
	q.card = storetest.ActiveCard(t, env.Store, q.partner, q.client)
	q.card2 = storetest.ActiveCard(t, env.Store, q.partner, q.client)
	q.submitter = env.Operator("maker@example.com", false, webtest.Grant{Partner: q.partner, Roles: []string{"maker"}}).Login()
	q.checker = env.Operator("checker@example.com", false, webtest.Grant{Partner: q.partner, Roles: []string{"checker"}}).Login()
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
