package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"

	"cardconsole/store/storetest"
)

// runJSON runs a command and decodes the one JSON object it prints.
func runJSON(t *testing.T, args ...string) map[string]any {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = w, w
	runErr := run(context.Background(), args)
	os.Stdout, os.Stderr = stdout, stderr
	w.Close()
	out, _ := io.ReadAll(r)
	if runErr != nil {
		t.Fatalf("cardconsole %s: %v\n%s", strings.Join(args, " "), runErr, out)
	}
	lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
	var m map[string]any
	if err := json.Unmarshal(lines[len(lines)-1], &m); err != nil {
		t.Fatalf("cardconsole %s printed no JSON object: %s", strings.Join(args, " "), out)
	}
	return m
}

func TestAdminCommandsPrintJSON(t *testing.T) {
	t.Setenv("DATABASE_URL", storetest.NewURL(t))
	t.Setenv("OTP_ENCRYPTION_KEY", storetest.OTPKey)
	partner := runJSON(t, "partner", "create", "--name", "Acme", "--currency", "GTQ")
	id, ok := partner["id"].(float64)
	if !ok || id <= 0 {
		t.Fatalf("partner create: %v", partner)
	}
	pid := strconv.FormatInt(int64(id), 10)
	app := runJSON(t, "app", "create", "--name", "Acme app", "--partner", pid)
	for _, k := range []string{"merchant", "secret", "applicationId"} {
		if s, _ := app[k].(string); s == "" {
			t.Errorf("app create lacks %s: %v", k, app)
		}
	}
	op := runJSON(t, "operator", "create", "--email", "ops@acme.test", "--password", "a-long-password", "--otp")
	if uri, _ := op["otpauthUri"].(string); !strings.HasPrefix(uri, "otpauth://totp/") {
		t.Errorf("operator create --otp: %v", op)
	}
	plain := runJSON(t, "operator", "create", "--email", "plain@acme.test", "--password", "a-long-password")
	if _, has := plain["otpauthUri"]; has {
		t.Errorf("operator without --otp got a URI: %v", plain)
	}
	grant := runJSON(t, "operator", "grant", "--email", "ops@acme.test", "--partner", pid, "--role", "maker", "--permission", "cards-admin:otp")
	if grant["roles"].([]any)[0] != "maker" {
		t.Errorf("grant: %v", grant)
	}
	if err := run(context.Background(), []string{"operator", "grant", "--email", "ops@acme.test", "--partner", pid, "--role", "root"}); err == nil {
		t.Error("an unknown role was granted")
	}
}

func TestDemoSeedLoadsOnce(t *testing.T) {
	url := commandDatabase(t)
	st, err := openStore(context.Background(), config{DatabaseURL: url})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	count := func() (n [3]int) {
		for i, table := range []string{"partners", "operators", "movements"} {
			if err := st.DB().Get(&n[i], `SELECT count(*) FROM `+table); err != nil {
				t.Fatal(err)
			}
		}
		return n
	}
	first := runJSON(t, "seed", "--demo")
	after := count()
	second := runJSON(t, "seed", "--demo")
	if first["alreadyPresent"] != false || second["alreadyPresent"] != true {
		t.Fatalf("seed answers %v then %v", first, second)
	}
	if again := count(); again != after || after[0] != 2 {
		t.Fatalf("partners, operators, movements: %v after the first seed, %v after the second", after, again)
	}
}

// commandDatabase points the commands at a fresh database, with the test kit's OTP encryption key
// set as a deployment sets OTP_ENCRYPTION_KEY, and returns its URL.
func commandDatabase(t *testing.T) string {
	t.Helper()
	url := storetest.NewURL(t)
	t.Setenv("DATABASE_URL", url)
	t.Setenv("OTP_ENCRYPTION_KEY", storetest.OTPKey)
	return url
}

// commandConfig is the configuration the commands read from the environment.
func commandConfig(t *testing.T) config {
	t.Helper()
	cfg, err := loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
