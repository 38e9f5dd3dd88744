package store_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"cardconsole/store"
	"cardconsole/store/storetest"
)

var sys = store.SystemActor("test")

func newOperatorWithOTP(t *testing.T, st *store.Store) (int64, string) {
	t.Helper()
	op, err := st.CreateOperator(context.Background(), sys, "otp@example.com", "long-enough-password", true)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(op.OTPAuthURI)
	if err != nil {
		t.Fatal(err)
	}
	return op.ID, u.Query().Get("secret")
}

func TestOTPIsAcceptedOnceWithOneStepOfDrift(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := context.Background()
	id, secret := newOperatorWithOTP(t, st)
	now := time.Unix(1_900_000_000, 0)

	code, _ := store.OTPSecretCode(secret, now)
	if err := st.VerifyOTP(ctx, sys, id, code, now); err != nil {
		t.Fatalf("first use refused: %v", err)
	}
	if err := st.VerifyOTP(ctx, sys, id, code, now); !store.IsCode(err, store.CodeOTPInvalid) {
		t.Fatalf("replay: got %v, want OTP_INVALID", err)
	}
	prev, _ := store.OTPSecretCode(secret, now.Add(-30*time.Second))
	if err := st.VerifyOTP(ctx, sys, id, prev, now); err != nil {
		t.Fatalf("code of the previous step refused: %v", err)
	}
	old, _ := store.OTPSecretCode(secret, now.Add(-90*time.Second))
	if err := st.VerifyOTP(ctx, sys, id, old, now); !store.IsCode(err, store.CodeOTPInvalid) {
		t.Fatalf("code three steps old: got %v, want OTP_INVALID", err)
	}
	if err := st.VerifyOTP(ctx, sys, id, "", now); !store.IsCode(err, store.CodeOTPRequired) {
		t.Fatalf("missing code: got %v, want OTP_REQUIRED", err)
	}
}

func TestOTPLockoutAfterRepeatedWrongCodes(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := context.Background()
	id, secret := newOperatorWithOTP(t, st)
	now := time.Unix(1_900_000_000, 0)
	good, _ := store.OTPSecretCode(secret, now)
	wrong := "000000"
	if wrong == good {
		wrong = "111111"
	}
	for i := 0; i < store.DefaultOTPPolicy.MaxFailures; i++ {
		if err := st.VerifyOTP(ctx, sys, id, wrong, now); !store.IsCode(err, store.CodeOTPInvalid) {
			t.Fatalf("wrong code %d: got %v", i, err)
		}
	}
	if err := st.VerifyOTP(ctx, sys, id, good, now); !store.IsCode(err, store.CodeTooManyAttempts) {
		t.Fatalf("right code during lockout: got %v, want TOO_MANY_ATTEMPTS", err)
	}
	later := now.Add(store.DefaultOTPPolicy.Lockout + time.Minute)
	code, _ := store.OTPSecretCode(secret, later)
	if err := st.VerifyOTP(ctx, sys, id, code, later); err != nil {
		t.Fatalf("after the lockout: %v", err)
	}
}

func TestOperatorWithoutAuthenticatorCannotPassOTP(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	op, err := st.CreateOperator(context.Background(), sys, "plain@example.com", "long-enough-password", false)
	if err != nil {
		t.Fatal(err)
	}
	if op.OTPAuthURI != "" {
		t.Fatal("an operator created without --otp got an otpauth URI")
	}
	err = st.VerifyOTP(context.Background(), sys, op.ID, "123456", time.Now())
	if !store.IsCode(err, store.CodeOTPRequired) {
		t.Fatalf("got %v, want OTP_REQUIRED", err)
	}
}

func TestRefreshTokenIsSingleUse(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := context.Background()
	op, err := st.CreateOperator(ctx, sys, "r@example.com", "long-enough-password", false)
	if err != nil {
		t.Fatal(err)
	}
	ttl := store.TokenTTL{App: time.Hour, Access: time.Minute, Refresh: time.Hour}
	pair, err := st.IssueOperatorTokens(ctx, sys, 0, op.ID, ttl, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	next, err := st.Refresh(ctx, pair.RefreshToken, ttl, time.Now())
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if next.AccessToken == pair.AccessToken || next.RefreshToken == pair.RefreshToken {
		t.Fatal("refresh returned the same tokens")
	}
	if _, err := st.Refresh(ctx, pair.RefreshToken, ttl, time.Now()); !store.IsCode(err, store.CodeUnauthorized) {
		t.Fatalf("second use of a refresh token: got %v, want UNAUTHORIZED", err)
	}
	if _, err := st.LookupToken(ctx, pair.AccessToken, store.TokenAccess); !store.IsCode(err, store.CodeUnauthorized) {
		t.Fatalf("old access token still works after refresh: %v", err)
	}
	p, err := st.LookupToken(ctx, next.AccessToken, store.TokenAccess)
	if err != nil {
		t.Fatalf("new access token: %v", err)
	}
	if err := st.RevokeSession(ctx, sys, p.SessionID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Refresh(ctx, next.RefreshToken, ttl, time.Now()); !store.IsCode(err, store.CodeUnauthorized) {
		t.Fatalf("refresh after logout: got %v", err)
	}
}

func TestTokensAreStoredHashed(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := context.Background()
	tok, err := st.IssueAppToken(ctx, 0, time.Hour)
	if err == nil {
		t.Fatalf("an app token without an application was issued: %s", tok)
	}
	app, err := st.CreateApplication(ctx, sys, "a", nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.CheckApplication(ctx, app.Merchant, app.Secret)
	if err != nil {
		t.Fatal(err)
	}
	tok, err = st.IssueAppToken(ctx, got.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := st.DB().GetContext(ctx, &n, `SELECT count(*) FROM api_tokens WHERE encode(token_hash, 'escape') LIKE '%' || $1 || '%'`, tok); err != nil {
		t.Fatal(err)
	}
	var secrets int
	if err := st.DB().GetContext(ctx, &secrets, `SELECT count(*) FROM applications WHERE encode(secret_hash, 'escape') = $1`, app.Secret); err != nil {
		t.Fatal(err)
	}
	if n != 0 || secrets != 0 {
		t.Fatal("a token or secret is stored in clear")
	}
	if _, err := st.CheckApplication(ctx, app.Merchant, app.Secret+"x"); !store.IsCode(err, store.CodeUnauthorized) {
		t.Fatalf("wrong secret accepted: %v", err)
	}
}
