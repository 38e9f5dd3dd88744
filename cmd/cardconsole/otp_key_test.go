package main

import (
	"context"
	"encoding/base32"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"time"

	"cardconsole/store"
	"cardconsole/store/storetest"
)

const otherOTPKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

// secretColumn reads an operator's stored TOTP secret.
func secretColumn(t *testing.T, st *store.Store, id int64) string {
	t.Helper()
	var s string
	if err := st.DB().Get(&s, `SELECT totp_secret FROM operators WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestTOTPSecretsAreEncryptedAtRest: the operators table holds no readable secret (neither the
// base32 text nor anything that decodes to it), codes still verify, a plain row of before is sealed
// at start, a rotation re-seals with the new key, and the server refuses to start with enrolled
// operators and no key.
func TestTOTPSecretsAreEncryptedAtRest(t *testing.T) {
	ctx := context.Background()
	dbURL := storetest.NewURL(t)
	t.Setenv("DATABASE_URL", dbURL)
	t.Setenv("OTP_ENCRYPTION_KEY", storetest.OTPKey)
	op := runJSON(t, "operator", "create", "--email", "ops@acme.test", "--password", "a-long-password", "--otp")
	u, _ := url.Parse(op["otpauthUri"].(string))
	secret := u.Query().Get("secret")
	id := int64(op["id"].(float64))

	cfg, err := loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	wantSealed := func(stored string) {
		t.Helper()
		raw, _ := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
		body, ok := strings.CutPrefix(stored, "v1:")
		decoded, _ := base64.RawStdEncoding.DecodeString(body)
		if !ok || strings.Contains(strings.ToUpper(stored), secret) || strings.Contains(string(decoded), secret) ||
			strings.Contains(string(decoded), string(raw)) {
			t.Fatalf("the stored secret %q is readable (secret %s)", stored, secret)
		}
	}
	first := secretColumn(t, st, id)
	wantSealed(first)
	now := time.Now()
	code, _ := store.OTPSecretCode(secret, now)
	if err := st.VerifyOTP(ctx, store.SystemActor("test"), id, code, now); err != nil {
		t.Fatalf("a code of the sealed secret is refused: %v", err)
	}
	// No plain secret can be written any more.
	if _, err := st.DB().Exec(`UPDATE operators SET totp_secret = $2 WHERE id = $1`, id, secret); err == nil {
		t.Fatal("the database accepted a plain TOTP secret")
	}

	// A row of before the encryption (the check is NOT VALID for such rows) is sealed at start, once.
	if _, err := st.DB().Exec(`ALTER TABLE operators DROP CONSTRAINT operators_totp_secret_sealed`); err != nil {
		t.Fatal(err)
	}
	legacy := runJSON(t, "operator", "create", "--email", "legacy@acme.test", "--password", "a-long-password", "--otp")
	lu, _ := url.Parse(legacy["otpauthUri"].(string))
	legacyID, legacySecret := int64(legacy["id"].(float64)), lu.Query().Get("secret")
	if _, err := st.DB().Exec(`UPDATE operators SET totp_secret = $2 WHERE id = $1`, legacyID, legacySecret); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec(`ALTER TABLE operators ADD CONSTRAINT operators_totp_secret_sealed
		CHECK (totp_secret IS NULL OR totp_secret LIKE 'v1:%') NOT VALID`); err != nil {
		t.Fatal(err)
	}
	runJSON(t, "migrate")
	if s := secretColumn(t, st, legacyID); !strings.HasPrefix(s, "v1:") || strings.Contains(s, legacySecret) {
		t.Fatalf("the plain row was not sealed: %q", s)
	}
	if s := secretColumn(t, st, id); s != first {
		t.Fatal("an already sealed row was rewritten: sealing is not idempotent")
	}

	// Rotation: the new key is current, the old one only opens; every row is re-sealed.
	t.Setenv("OTP_ENCRYPTION_KEY", otherOTPKey)
	t.Setenv("OTP_ENCRYPTION_KEY_OLD", storetest.OTPKey)
	runJSON(t, "migrate")
	rotated := secretColumn(t, st, id)
	wantSealed(rotated)
	newOnly, err := store.ParseOTPKeys(otherOTPKey)
	if err != nil {
		t.Fatal(err)
	}
	st.UseOTPKeys(newOnly)
	later := now.Add(time.Minute)
	code, _ = store.OTPSecretCode(secret, later)
	if rotated == first {
		t.Fatal("rotation did not re-seal the secret")
	}
	if err := st.VerifyOTP(ctx, store.SystemActor("test"), id, code, later); err != nil {
		t.Fatalf("after rotation, the new key alone does not open the secret: %v", err)
	}

	// Without a key, with operators enrolled, nothing starts, and the message says what to set.
	t.Setenv("OTP_ENCRYPTION_KEY", "")
	t.Setenv("OTP_ENCRYPTION_KEY_OLD", "")
	err = run(ctx, []string{"migrate"})
	if err == nil || !strings.Contains(err.Error(), "OTP_ENCRYPTION_KEY") || !strings.Contains(err.Error(), "openssl rand -base64 32") {
		t.Fatalf("start without a key: %v", err)
	}
	// A wrong key is refused too, and destroys nothing.
	t.Setenv("OTP_ENCRYPTION_KEY", storetest.OTPKey)
	if err := run(ctx, []string{"migrate"}); err == nil {
		t.Fatal("a key that opens no secret was accepted")
	}
	if s := secretColumn(t, st, id); s != rotated {
		t.Fatal("a wrong key rewrote a secret")
	}
}
