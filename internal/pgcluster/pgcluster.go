// Package pgcluster runs private PostgreSQL clusters from the server package's binaries: the
// development cluster of make run and make test (cmd/pgdev), and the primary and streaming replica
// of make cluster and the multi-instance test. Root or not: as root the cluster belongs to the
// postgres user, since PostgreSQL refuses to run as root.
package pgcluster

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Cluster is one PostgreSQL data directory and the port it serves on.
type Cluster struct {
	Dir     string // the data directory
	Sockets string // the socket directory
	Port    string
	// Settings are extra -c name=value server settings, such as the development cluster's
	// fsync=off; none means PostgreSQL's durable defaults.
	Settings []string
	// NoSync skips the tools' own flush to disk (initdb, pg_basebackup): for a cluster a test
	// throws away, with fsync=off in Settings.
	NoSync bool
	// Log receives the output of the PostgreSQL tools; nil discards it.
	Log *os.File

	bin   string // directory of initdb, pg_ctl, postgres
	runAs string // the user that owns the cluster when we are root
}

// New describes a cluster in dir with its sockets in sockets, serving on port. Nothing starts yet.
func New(dir, sockets, port string) (*Cluster, error) {
	bin, err := FindBin()
	if err != nil {
		return nil, err
	}
	cl := &Cluster{Dir: dir, Sockets: sockets, Port: port, bin: bin, Log: os.Stderr}
	if os.Geteuid() == 0 {
		if _, err := user.Lookup("postgres"); err != nil {
			return nil, fmt.Errorf("running as root needs the 'postgres' user that the PostgreSQL server package creates")
		}
		cl.runAs = "postgres"
	}
	return cl, nil
}

// FindBin locates the server binaries: PG_BIN, the newest /usr/lib/postgresql/*/bin, or PATH.
func FindBin() (string, error) {
	if b := os.Getenv("PG_BIN"); b != "" {
		return b, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", fmt.Errorf("PostgreSQL server is not installed: install it (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql@15), or set DATABASE_URL")
}

func versionOf(binDir string) int {
	var v int
	fmt.Sscanf(filepath.Base(filepath.Dir(binDir)), "%d", &v)
	return v
}

// URL is the connection URL of database name.
func (cl *Cluster) URL(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%s/%s?sslmode=disable", cl.Port, name)
}

func (cl *Cluster) cmd(name string, args ...string) *exec.Cmd {
	path := filepath.Join(cl.bin, name)
	var c *exec.Cmd
	if cl.runAs != "" {
		c = exec.Command("runuser", append([]string{"-u", cl.runAs, "--", path}, args...)...)
	} else {
		c = exec.Command(path, args...)
	}
	if cl.Log != nil {
		c.Stderr = cl.Log
	}
	return c
}

// Initialized reports whether the data directory holds a cluster.
func (cl *Cluster) Initialized() bool {
	_, err := os.Stat(filepath.Join(cl.Dir, "PG_VERSION"))
	return err == nil
}

// Running reports whether the cluster's server runs.
func (cl *Cluster) Running() bool {
	c := cl.cmd("pg_ctl", "-D", cl.Dir, "status")
	c.Stderr = nil
	return cl.Initialized() && c.Run() == nil
}

// Init creates the cluster, with trust authentication on loopback (replication included), unless
// it exists.
func (cl *Cluster) Init() error {
	if cl.Initialized() {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(cl.Dir), 0o755); err != nil {
		return err
	}
	if err := cl.prepareDir(cl.Dir, 0o700, true); err != nil {
		return err
	}
	args := []string{"-D", cl.Dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"}
	if cl.NoSync {
		args = append(args, "--no-sync")
	}
	if err := cl.cmd("initdb", args...).Run(); err != nil {
		return fmt.Errorf("initdb failed: %w", err)
	}
	return nil
}

// ReplicaOf makes the cluster a streaming replica of primary, which must be running: a base backup
// with -R writes the standby settings, so that on start it follows the primary. An existing data
// directory is kept.
func (cl *Cluster) ReplicaOf(primary *Cluster) error {
	if cl.Initialized() {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(cl.Dir), 0o755); err != nil {
		return err
	}
	if err := cl.prepareDir(cl.Dir, 0o700, true); err != nil {
		return err
	}
	args := []string{"-h", "127.0.0.1", "-p", primary.Port, "-U", "postgres", "-D", cl.Dir, "-R", "-X", "stream", "-c", "fast"}
	if cl.NoSync {
		args = append(args, "--no-sync")
	}
	if err := cl.cmd("pg_basebackup", args...).Run(); err != nil {
		return fmt.Errorf("pg_basebackup failed: %w", err)
	}
	return nil
}

// Start starts the server unless it runs, and waits until it accepts connections.
func (cl *Cluster) Start() error {
	if err := cl.prepareDir(cl.Sockets, 0o755, false); err != nil {
		return err
	}
	if cl.Running() {
		return cl.waitReady()
	}
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -c port=%s -c unix_socket_directories=%s -c max_connections=300", cl.Port, cl.Sockets)
	for _, s := range cl.Settings {
		opts += " -c " + s
	}
	logFile := filepath.Join(cl.Dir, "server.log")
	if err := cl.cmd("pg_ctl", "-D", cl.Dir, "-l", logFile, "-o", opts, "-w", "-t", "60", "start").Run(); err != nil {
		return fmt.Errorf("could not start PostgreSQL (see %s): %w", logFile, err)
	}
	return cl.waitReady()
}

// Stop stops the server (fast shutdown) if it runs.
func (cl *Cluster) Stop() error {
	if !cl.Running() {
		return nil
	}
	return cl.cmd("pg_ctl", "-D", cl.Dir, "-m", "fast", "-w", "stop").Run()
}

// prepareDir creates dir owned by the cluster's user; with empty set, it must be empty (a failed
// earlier attempt leaves files that initdb and pg_basebackup refuse).
func (cl *Cluster) prepareDir(dir string, mode os.FileMode, empty bool) error {
	if empty {
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(dir, mode); err != nil {
		return err
	}
	if cl.runAs != "" {
		u, err := user.Lookup(cl.runAs)
		if err != nil {
			return err
		}
		var uid, gid int
		fmt.Sscanf(u.Uid, "%d", &uid)
		fmt.Sscanf(u.Gid, "%d", &gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return err
		}
	}
	return os.Chmod(dir, mode)
}

func (cl *Cluster) waitReady() error {
	for i := 0; i < 240; i++ {
		if cl.cmd("pg_isready", "-q", "-h", "127.0.0.1", "-p", cl.Port).Run() == nil {
			return nil
		}
		time.Sleep(250 * time.Millisecond)
	}
	return fmt.Errorf("PostgreSQL did not become ready on port %s", cl.Port)
}

// CreateDatabase creates database name unless it exists.
func (cl *Cluster) CreateDatabase(name string) error {
	psql := filepath.Join(cl.bin, "psql")
	if _, err := os.Stat(psql); err != nil {
		psql = "psql"
	}
	q := exec.Command(psql, "-h", "127.0.0.1", "-p", cl.Port, "-U", "postgres", "-d", "postgres", "-tAc",
		fmt.Sprintf("SELECT 1 FROM pg_database WHERE datname = '%s'", strings.ReplaceAll(name, "'", "")))
	out, err := q.Output()
	if err != nil {
		return fmt.Errorf("could not query databases: %w", err)
	}
	if strings.TrimSpace(string(out)) == "1" {
		return nil
	}
	c := exec.Command(psql, "-h", "127.0.0.1", "-p", cl.Port, "-U", "postgres", "-d", "postgres", "-qc",
		fmt.Sprintf(`CREATE DATABASE "%s"`, strings.ReplaceAll(name, `"`, "")))
	c.Stderr = cl.Log
	return c.Run()
}

// FreePort returns the first port after from that nothing listens on.
func FreePort(from string) (string, error) {
	var start int
	fmt.Sscanf(from, "%d", &start)
	for p := start + 1; p < start+100; p++ {
		if !PortBusy(fmt.Sprint(p)) {
			return fmt.Sprint(p), nil
		}
	}
	return "", fmt.Errorf("no free port after %s", from)
}

// PortBusy reports whether something accepts connections on the loopback port.
func PortBusy(port string) bool {
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+port, 300*time.Millisecond)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
