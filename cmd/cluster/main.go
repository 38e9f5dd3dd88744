// Command cluster starts and stops the instances and the HAProxy of make cluster, detached, with
// their logs and pid files in the folder given (make cluster uses .data/cluster/). The databases
// come from pgdev replicated.
//
//	cluster up -dir DIR -binary BIN -db URL [-replica URL]   start two instances and HAProxy
//	cluster down -dir DIR                                    stop them
//
// Ports: CLUSTER_PORT (HAProxy, default 18080) and CLUSTER_INSTANCE_PORTS (comma-separated,
// default 18081,18082). SESSION_KEY, when set, is passed to every instance; otherwise a key made
// once and kept in DIR/session_key is, so that sessions and signed links work on every instance
// and survive a restart of the set.
package main

import (
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"cardconsole/internal/cluster"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "cluster:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: cluster up|down -dir DIR [...]")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	dir := fs.String("dir", ".data/cluster", "the folder of logs, pid files and HAProxy's configuration")
	bin := fs.String("binary", "bin/cardconsole", "the cardconsole binary")
	db := fs.String("db", "", "the primary's database URL")
	replica := fs.String("replica", "", "the replica's database URL")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch args[0] {
	case "down":
		return cluster.Down(*dir)
	case "up":
	default:
		return fmt.Errorf("unknown command %q", args[0])
	}
	if *db == "" {
		return fmt.Errorf("-db is required")
	}
	if err := cluster.Down(*dir); err != nil { // a set left running is replaced
		return err
	}
	key, err := sessionKey(*dir)
	if err != nil {
		return err
	}
	binary, err := filepath.Abs(*bin)
	if err != nil {
		return err
	}
	o := cluster.Options{Dir: *dir, Binary: binary, DatabaseURL: *db, ReplicaURL: *replica,
		InstancePorts: strings.Split(envOr("CLUSTER_INSTANCE_PORTS", "18081,18082"), ","),
		ProxyPort:     envOr("CLUSTER_PORT", "18080"), Env: []string{"SESSION_KEY=" + key, "OTP_ENCRYPTION_KEY=" + os.Getenv("OTP_ENCRYPTION_KEY")}, Detach: true}
	s, err := cluster.Up(o)
	if err != nil {
		return err
	}
	for i := range s.Instances {
		fmt.Printf("cluster: instance %d at %s (log %s)\n", i+1, s.InstanceURL(i), filepath.Join(*dir, s.Instances[i].Name+".log"))
	}
	fmt.Printf("cluster: open %s (HAProxy, round-robin over the instances; stop with make cluster-stop)\n", s.URL())
	return nil
}

// sessionKey is SESSION_KEY, or the key kept in dir.
func sessionKey(dir string) (string, error) {
	if k := os.Getenv("SESSION_KEY"); k != "" {
		return k, nil
	}
	path := filepath.Join(dir, "session_key")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return strings.TrimSpace(string(b)), nil
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	key := hex.EncodeToString(b)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return key, os.WriteFile(path, []byte(key+"\n"), 0o600)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
