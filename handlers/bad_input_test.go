package handlers_test

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store"
	"cardconsole/store/storetest"
)

// TestNULInFiltersIs400 sends a NUL byte and bytes that are not UTF-8 in list filters: each is 400
// 7000 naming the parameter, where PostgreSQL's refusal used to surface as a 500.
func TestNULInFiltersIs400(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal", "GTQ")
	env, p := fx.Env, fx.Partner
	admin := env.Operator("admin@example.com", false, apptest.Grant{Partner: p, Roles: []string{"admin"}})
	for _, tc := range []struct{ path, param string }{
		{partnerPath(p, "/cardholders"), "searchText"},
		{"/cms/rest/app/audit", "action"},
		{"/cms/rest/app/audit", "actor"},
		{"/api/v2/applications", "filter[name]"},
	} {
		for _, bad := range []string{"a\x00b", "\xff\xfe"} {
			res := admin.Do(http.MethodGet, tc.path+"?"+url.QueryEscape(tc.param)+"="+url.QueryEscape(bad), nil)
			res.WantError(http.StatusBadRequest, "7000")
			if got := res.FieldErrors(); got[tc.param] != "7000" {
				t.Fatalf("%s %q: field errors %v, want %s", tc.path, bad, got, tc.param)
			}
		}
	}
}

// TestListQueryFuzzNeverAnswers500 throws awkward values at every query parameter of the list
// routes: nothing may answer a server error.
func TestListQueryFuzzNeverAnswers500(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal", "GTQ")
	env, p := fx.Env, fx.Partner
	h := storetest.Cardholder(t, env.Store, p)
	card := storetest.ActiveCard(t, env.Store, p, h)
	admin := env.Operator("admin@example.com", false, apptest.Grant{Partner: p, Roles: []string{"admin"}})
	paths := []string{
		partnerPath(p, "/cardholders"), partnerPath(p, "/cards"), partnerPath(p, "/process-request"),
		partnerPath(p, "/process-requests"), partnerPath(p, "/cardholders/"+itoa(h)+"/cards/"+itoa(card.ID)+"/movements"),
		"/cms/rest/app/audit", "/api/v2/applications", "/api/v2/resolutions",
	}
	params := []string{"searchText", "sortBy", "sortOrder", "sort", "order", "page", "limit", "offset", "status", "action",
		"actor", "partnerId", "from", "to", "operation", "filter[clientId]", "filter[dateFrom]", "filter[name]", "filter[type]"}
	values := []string{"'", "%", "_", `\`, "-1", "0", "99999999999999999999", "1e9", "NaN", "2026-13-45", "0000-00-00",
		strings.Repeat("z", 5000), "ASC;DROP", "\u202e", "☃"}
	for _, path := range paths {
		for _, param := range params {
			for _, v := range values {
				res := admin.Do(http.MethodGet, path+"?"+url.QueryEscape(param)+"="+url.QueryEscape(v), nil)
				if res.Status >= 500 {
					t.Errorf("GET %s?%s=%.20q: %d %s", path, param, v, res.Status, res.Body)
				}
			}
		}
	}
}

// TestTopUpThatWouldOverflowTheBalance: a top-up whose approval would take the balance past
// numeric(20,4) is refused when it is created; one that became too large later (the balance grew)
// is refused at approval with a conflict, stays PENDING and can still be rejected.
func TestTopUpThatWouldOverflowTheBalance(t *testing.T) {
	t.Parallel()
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal", "GTQ")
	env, p := fx.Env, fx.Partner
	maker := env.Operator("maker@example.com", false, apptest.Grant{Partner: p, Roles: []string{"maker"}})
	checker := env.Operator("checker@example.com", false, apptest.Grant{Partner: p, Roles: []string{"checker"}})
	storetest.CreditPartner(t, env.Store, p, "5")

	res := postTopUp(t, env, maker, p, map[string]string{"requestedAmount": "9999999999999999.9999"},
		&evidenceFile{"receipt.pdf", "application/pdf", pdfBytes(t, "big")})
	res.WantError(http.StatusBadRequest, "7000")
	if !strings.Contains(string(res.Body), "9999999999999999.9999") {
		t.Fatalf("the refusal does not state the limit: %s", res.Body)
	}
	if got := res.FieldErrors(); got["requestedAmount"] != "7000" {
		t.Fatalf("field errors %v", got)
	}
	// Room for it now, none once the balance grows.
	id := createTopUp(t, env, maker, p, "9999999999999990")
	storetest.CreditPartner(t, env.Store, p, "100")
	checker.Do(http.MethodPatch, requestPath(p, id, "/approve"), nil).WantError(http.StatusConflict, "7011")
	var status string
	if err := env.Store.DB().Get(&status, `SELECT status FROM process_requests WHERE id = $1`, id); err != nil || status != store.ProcessPending {
		t.Fatalf("status %q (%v), want PENDING", status, err)
	}
	checker.Do(http.MethodPatch, requestPath(p, id, "/reject"), nil).WantStatus(http.StatusNoContent)
}

// TestDatabaseDownIs503 serves the console through a TCP relay to PostgreSQL and cuts the relay:
// requests that need the database answer 503 7015 with Retry-After, not 500.
func TestDatabaseDownIs503(t *testing.T) {
	t.Parallel()
	base := apptest.New(t, handlers.Routes)
	p := base.Partner("Quetzal", "GTQ")
	viewer := base.Operator("viewer@example.com", false, apptest.Grant{Partner: p, Roles: []string{"viewer"}})
	viewer.Login()

	u, _ := url.Parse(base.URL)
	relay := newRelay(t, u.Host)
	u.Host = relay.addr
	env := apptest.NewOn(t, handlers.Routes, u.String())
	headers := map[string]string{"Authorization": "Bearer " + base.AppToken(), "x-user-token": "Bearer " + viewer.Token}
	env.Do(http.MethodGet, partnerPath(p, "/cardholders"), headers, nil).WantStatus(http.StatusOK)

	relay.cut()
	res := env.Do(http.MethodGet, partnerPath(p, "/cardholders"), headers, nil).WantError(http.StatusServiceUnavailable, "7018")
	if res.Header.Get("Retry-After") == "" {
		t.Fatalf("503 without Retry-After")
	}
}

// relay forwards TCP connections to a target until cut.
type relay struct {
	addr  string
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func newRelay(t *testing.T, target string) *relay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &relay{addr: ln.Addr().String(), ln: ln}
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			r.mu.Lock()
			r.conns = append(r.conns, in, out)
			r.mu.Unlock()
			go func() { _, _ = io.Copy(out, in); out.Close() }()
			go func() { _, _ = io.Copy(in, out); in.Close() }()
		}
	}()
	t.Cleanup(r.cut)
	return r
}

// cut stops accepting and drops every relayed connection, as a database that went away.
func (r *relay) cut() {
	r.ln.Close()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.conns {
		c.Close()
	}
	r.conns = nil
}
