package store_test

import (
	"context"
	"testing"
	"time"

	"cardconsole/store"
	"cardconsole/store/storetest"
)

// appToken creates an application serving partnerIDs and issues a token valid for ttl.
func appToken(t *testing.T, st *store.Store, ttl time.Duration, partnerIDs ...int64) (string, store.NewApplication) {
	t.Helper()
	ctx := context.Background()
	app, err := st.CreateApplication(ctx, sys, "cached", partnerIDs)
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.CheckApplication(ctx, app.Merchant, app.Secret)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := st.IssueAppToken(ctx, got.ID, ttl)
	if err != nil {
		t.Fatal(err)
	}
	return tok, app
}

func TestAppTokenLookupCarriesTheApplicationAndItsPartners(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := context.Background()
	p1, err := st.CreatePartner(ctx, sys, "One", "GTQ")
	if err != nil {
		t.Fatal(err)
	}
	p2, err := st.CreatePartner(ctx, sys, "Two", "USD")
	if err != nil {
		t.Fatal(err)
	}
	tok, app := appToken(t, st, time.Hour, p2.ID, p1.ID)
	p, err := st.LookupToken(ctx, tok, store.TokenApp)
	if err != nil {
		t.Fatal(err)
	}
	if p.AppPublicID != app.ApplicationID || len(p.AppPartners) != 2 || p.AppPartners[0] != min(p1.ID, p2.ID) || p.AppPartners[1] != max(p1.ID, p2.ID) {
		t.Fatalf("principal %+v, want application %s serving %d and %d", p, app.ApplicationID, p1.ID, p2.ID)
	}
	if _, err := st.LookupToken(ctx, tok, store.TokenAccess); !store.IsCode(err, store.CodeUnauthorized) {
		t.Fatalf("an application token was accepted as an access token: %v", err)
	}
}

func TestAppTokenRevokedInTheDatabaseStopsWorkingWithinTheCachePeriod(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := context.Background()
	now := time.Now()
	st.SetTokenClock(func() time.Time { return now })
	tok, _ := appToken(t, st, time.Hour)
	if _, err := st.LookupToken(ctx, tok, store.TokenApp); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().ExecContext(ctx, `UPDATE api_tokens SET revoked_at = now() WHERE kind = 'APP'`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.LookupToken(ctx, tok, store.TokenApp); err != nil {
		t.Fatalf("within the cache period the kept principal answers: %v", err)
	}
	now = now.Add(store.AppTokenCacheFor)
	if _, err := st.LookupToken(ctx, tok, store.TokenApp); !store.IsCode(err, store.CodeUnauthorized) {
		t.Fatalf("after the cache period a revoked token answered %v, want 7xxx unauthorized", err)
	}
	if _, err := st.LookupToken(ctx, "not-a-token", store.TokenApp); !store.IsCode(err, store.CodeUnauthorized) {
		t.Fatalf("unknown token: %v", err)
	}
}

func TestCachedAppTokenIsRefusedOnceExpired(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := context.Background()
	tok, _ := appToken(t, st, time.Hour)
	var expires time.Time
	if err := st.DB().GetContext(ctx, &expires, `SELECT expires_at FROM api_tokens WHERE kind = 'APP'`); err != nil {
		t.Fatal(err)
	}
	now := expires.Add(-store.AppTokenCacheFor / 2)
	st.SetTokenClock(func() time.Time { return now })
	if _, err := st.LookupToken(ctx, tok, store.TokenApp); err != nil {
		t.Fatal(err)
	}
	// The token is revoked, so only the cache could still accept it; its clock then reaches the
	// expiry while the kept principal is fresh: the cache must not answer.
	if _, err := st.DB().ExecContext(ctx, `UPDATE api_tokens SET revoked_at = now() WHERE kind = 'APP'`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.LookupToken(ctx, tok, store.TokenApp); err != nil {
		t.Fatalf("before its expiry the kept principal answers: %v", err)
	}
	now = expires
	if _, err := st.LookupToken(ctx, tok, store.TokenApp); !store.IsCode(err, store.CodeUnauthorized) {
		t.Fatalf("an expired token was answered from the cache: %v", err)
	}
}
