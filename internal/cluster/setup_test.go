package cluster_test

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"cardconsole/internal/cluster"
	"cardconsole/internal/pgcluster"
	"cardconsole/store/storetest"
)

// world is a whole production-like set started for one test: a durable primary and its streaming
// replica in a private folder, two instances built from this checkout, and HAProxy in front.
type world struct {
	set              *cluster.Set
	primary, replica *pgcluster.Cluster
	dir              string
}

// startWorld builds the binary and starts everything on free ports; the test's end stops it all.
// Without HAProxy or the PostgreSQL server the test is skipped, except under CI=true, where it
// fails.
func startWorld(t *testing.T) *world {
	t.Helper()
	need := func(what string, ok bool) {
		if ok {
			return
		}
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed: under CI=true the multi-instance test must run", what)
		}
		t.Skipf("%s is not installed; install it to run the multi-instance test", what)
	}
	need("HAProxy", cluster.HAProxy() != "")
	_, err := pgcluster.FindBin()
	need("the PostgreSQL server", err == nil)
	if testing.Short() {
		t.Skip("the multi-instance test starts PostgreSQL twice and three processes")
	}

	// As root, PostgreSQL runs as the postgres user, which must reach the data folders: t.TempDir
	// makes folders only their owner may enter.
	dir, err := os.MkdirTemp("", "cardconsole-cluster-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	w := &world{dir: dir}
	t.Cleanup(func() {
		if t.Failed() {
			for _, name := range []string{"instance-1.log", "instance-2.log", "primary/server.log", "replica/server.log"} {
				if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
					t.Logf("%s:\n%s", name, tailOf(b))
				}
			}
		}
		if w.set != nil {
			w.set.Down()
		}
		for _, cl := range []*pgcluster.Cluster{w.replica, w.primary} {
			if cl != nil {
				_ = cl.Stop()
			}
		}
		os.RemoveAll(dir)
	})

	began := time.Now()
	step := func(what string) { t.Logf("%s after %s", what, time.Since(began).Round(10*time.Millisecond)) }
	bin := filepath.Join(dir, "cardconsole")
	build := exec.Command("go", "build", "-o", bin, "cardconsole/cmd/cardconsole")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	step("built")
	ports, err := cluster.FreePorts(5)
	if err != nil {
		t.Fatal(err)
	}
	if w.primary, err = pgcluster.New(filepath.Join(dir, "primary"), filepath.Join(dir, "run-primary"), ports[0]); err != nil {
		t.Fatal(err)
	}
	if w.replica, err = pgcluster.New(filepath.Join(dir, "replica"), filepath.Join(dir, "run-replica"), ports[1]); err != nil {
		t.Fatal(err)
	}
	// What the test checks is the application's behaviour, not PostgreSQL's durability: skip the
	// flushes to disk, which would take most of its time on a busy machine.
	for _, cl := range []*pgcluster.Cluster{w.primary, w.replica} {
		cl.Log, cl.NoSync = nil, true
		cl.Settings = []string{"fsync=off", "synchronous_commit=off", "full_page_writes=off"}
	}
	if err := w.primary.Init(); err != nil {
		t.Fatal(err)
	}
	if err := w.primary.Start(); err != nil {
		t.Fatal(err)
	}
	if err := w.primary.CreateDatabase("cardconsole"); err != nil {
		t.Fatal(err)
	}
	step("primary up")
	if err := w.replica.ReplicaOf(w.primary); err != nil {
		t.Fatal(err)
	}
	if err := w.replica.Start(); err != nil {
		t.Fatal(err)
	}
	step("replica up")
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	w.set, err = cluster.Up(cluster.Options{Dir: dir, Binary: bin, DatabaseURL: w.primary.URL("cardconsole"),
		ReplicaURL: w.replica.URL("cardconsole"), InstancePorts: ports[2:4], ProxyPort: ports[4],
		Env: []string{"SESSION_KEY=" + hex.EncodeToString(key), "OTP_ENCRYPTION_KEY=" + storetest.OTPKey, "LOG_LEVEL=warn"}})
	if err != nil {
		t.Fatal(err)
	}
	step("instances and HAProxy up")
	return w
}

func tailOf(b []byte) string {
	if len(b) > 3000 {
		b = b[len(b)-3000:]
	}
	return string(b)
}
