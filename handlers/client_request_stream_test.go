package handlers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store"
	"cardconsole/store/storetest"
)

// bellCount reads the number out of a "pending" frame (the bell's HTML).
func bellCount(t *testing.T, f sseFrame) string {
	t.Helper()
	i := strings.Index(f.Data, `data-testid="bell-count">`)
	if i < 0 {
		t.Fatalf("not a bell frame: %+v", f)
	}
	rest := f.Data[i+len(`data-testid="bell-count">`):]
	return rest[:strings.Index(rest, "<")]
}

func TestBellStreamRecountsForEachOperator(t *testing.T) {
	t.Parallel()
	q := newQueueOn(t, apptest.NewWith(t, handlers.Routes, shortHeartbeat))
	st := q.env.Store
	ctx := context.Background()
	sys := store.SystemActor("test")
	hidden := storetest.Cardholder(t, st, q.partner)
	if _, err := st.SetCardholderTags(ctx, sys, q.partner, q.client, []string{"vip"}); err != nil {
		t.Fatal(err)
	}
	restricted := q.env.Operator("tagged@example.com", false, apptest.Grant{Partner: q.partner, Roles: []string{"checker"}}).Login()
	if _, err := st.RestrictOperator(ctx, sys, restricted.ID, q.partner, []string{"vip"}); err != nil {
		t.Fatal(err)
	}
	client := q.env.Server.Client()
	all := openStream(t, client, q.env.Server.URL, "/api/v2/applications/stream", map[string]string{"Authorization": "Bearer " + q.checker.Token})
	tagged := openStream(t, client, q.env.Server.URL, "/api/v2/applications/stream", map[string]string{"Authorization": "Bearer " + restricted.Token})
	if bellCount(t, all.next(5*time.Second)) != "0" || bellCount(t, tagged.next(5*time.Second)) != "0" {
		t.Fatal("streams do not open with the count")
	}

	q.submit(t, hidden, "archive", nil)
	if got := bellCount(t, all.next(5*time.Second)); got != "1" {
		t.Errorf("checker's bell = %s, want 1", got)
	}
	if f, quiet := tagged.quiet(700 * time.Millisecond); !quiet {
		t.Errorf("a hidden client's request moved the restricted bell: %+v", f)
	}
	visible := q.submit(t, q.client, "archive", nil)
	if got := bellCount(t, all.next(5*time.Second)); got != "2" {
		t.Errorf("checker's bell = %s, want 2", got)
	}
	if got := bellCount(t, tagged.next(5*time.Second)); got != "1" {
		t.Errorf("restricted bell = %s, want 1", got)
	}
	api(q.env, q.checker, http.MethodPost, path("/api/v2/applications/%d/approve", visible), nil).WantStatus(http.StatusNoContent)
	if got := bellCount(t, all.next(5*time.Second)); got != "1" {
		t.Errorf("checker's bell after approval = %s, want 1", got)
	}
	if got := bellCount(t, tagged.next(5*time.Second)); got != "0" {
		t.Errorf("restricted bell after approval = %s, want 0", got)
	}
	// Logging out ends the stream at the next heartbeat.
	q.env.Do(http.MethodPost, "/cms/rest/app/users/logout", restricted.Headers(), nil)
	if !tagged.ended(3 * time.Second) {
		t.Error("the stream outlived the logout")
	}
	// Without approvals:list anywhere there is no stream.
	q.env.Do(http.MethodGet, "/api/v2/applications/stream", map[string]string{"Authorization": "Bearer " + q.env.Operator("nobody@example.com", false).Login().Token}, nil).
		WantError(http.StatusForbidden, "7005")
}
