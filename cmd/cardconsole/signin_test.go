package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"cardconsole/store"
	"cardconsole/store/storetest"
)

func TestOperatorCreateRefusesWeakPasswords(t *testing.T) {
	t.Setenv("DATABASE_URL", storetest.NewURL(t))
	for _, pw := range []string{"short-pw", "password1234", "Password123!", "qwertyuiop123", "ops-at-acme-secret-2026", "iloveyou12345"} {
		err := run(context.Background(), []string{"operator", "create", "--email", "ops-at-acme@acme.test", "--password", pw})
		if err == nil || !strings.Contains(err.Error(), "password") {
			t.Errorf("password %q accepted (%v)", pw, err)
		}
	}
	runJSON(t, "operator", "create", "--email", "ops-at-acme@acme.test", "--password", "copper-violin-harbour")
}

func TestDemoOperatorsSignInWithThePrintedSecrets(t *testing.T) {
	commandDatabase(t)
	runJSON(t, "seed", "--demo")
	ctx := context.Background()
	st, err := openStore(ctx, commandConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for email, secret := range demoOTPSecrets {
		op, err := st.CheckPassword(ctx, email, demoPassword)
		if err != nil {
			t.Fatalf("%s: %v", email, err)
		}
		required, err := st.SecondFactorRequired(ctx, op.ID)
		if err != nil || !required || !op.HasOTP {
			t.Fatalf("%s: second factor required %v, enrolled %v (%v)", email, required, op.HasOTP, err)
		}
		now := time.Now()
		code, _ := store.OTPSecretCode(secret, now)
		if err := st.VerifyOTP(ctx, store.SystemActor("test"), op.ID, code, now); err != nil {
			t.Fatalf("%s: the printed secret's code was refused: %v", email, err)
		}
	}
}
