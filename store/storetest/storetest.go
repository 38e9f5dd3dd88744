// Package storetest gives each test its own PostgreSQL database, cloned from a template made by
// the migrations (pgtestdb). TEST_DATABASE_URL names a server and a role that may create databases;
// make test points it at the private cluster. Without it a test is skipped, except under CI=true,
// where a missing database is a failure.
package storetest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"io/fs"
	"net/url"
	"os"
	"sort"
	"testing"

	_ "github.com/lib/pq" // the driver pgtestdb connects with
	"github.com/peterldowns/pgtestdb"
	"golang.org/x/crypto/bcrypt"

	"cardconsole/migrations"
	"cardconsole/store"
)

// migrator applies the embedded migrations; its hash changes whenever a migration file does, so
// the template database is rebuilt after a schema change.
type migrator struct{}

func (migrator) Hash() (string, error) {
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		return "", err
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		b, err := migrations.FS.ReadFile(n)
		if err != nil {
			return "", err
		}
		h.Write([]byte(n))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func (migrator) Migrate(ctx context.Context, db *sql.DB, _ pgtestdb.Config) error {
	return store.Migrate(ctx, db)
}

// Config returns the pgtestdb configuration from TEST_DATABASE_URL, skipping or failing the test
// when it is not set.
func Config(t testing.TB) pgtestdb.Config {
	t.Helper()
	raw := os.Getenv("TEST_DATABASE_URL")
	if raw == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("TEST_DATABASE_URL is not set: under CI=true the database tests must run (use make test)")
		}
		t.Skip("TEST_DATABASE_URL is not set; run the suite with make test")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	pass, _ := u.User.Password()
	db := u.Path
	if len(db) > 0 {
		db = db[1:]
	}
	return pgtestdb.Config{DriverName: "postgres", Host: u.Hostname(), Port: u.Port(), User: u.User.Username(),
		Password: pass, Database: db, Options: "sslmode=disable", ForceTerminateConnections: true}
}

// NewURL creates a fresh migrated database and returns its connection URL.
func NewURL(t testing.TB) string {
	t.Helper()
	return pgtestdb.Custom(t, Config(t), migrator{}).URL()
}

// OTPKey is the OTP encryption key of the test kit (32 bytes in base64), as OTP_ENCRYPTION_KEY.
const OTPKey = "dGVzdC1vbmx5IG90cCBlbmNyeXB0aW9uIGtleSAzMmI="

// OTPKeys are the parsed OTPKey.
func OTPKeys(t testing.TB) *store.OTPKeys {
	t.Helper()
	k, err := store.ParseOTPKeys(OTPKey)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Configure gives a store opened by a test the test OTP key and the lowest bcrypt cost: the race
// detector makes the default cost take seconds per hash, and password strength is not what these
// tests measure.
func Configure(t testing.TB, st *store.Store) {
	t.Helper()
	st.UseOTPKeys(OTPKeys(t))
	st.UsePasswordCost(bcrypt.MinCost)
}

// New returns a Store on a fresh migrated database, configured for tests (Configure), closed when
// the test ends.
func New(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), NewURL(t))
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	Configure(t, st)
	t.Cleanup(func() { st.Close() })
	return st
}
