// Command pgdev starts (or reuses) a private PostgreSQL cluster under .data/ for development and
// tests, so that make run and make test need only the PostgreSQL server package: no running server,
// no particular authentication settings, root or not.
//
//	pgdev url [DBNAME]   start the cluster if needed, create DBNAME, print its URL
//	pgdev stop           stop the cluster
package main

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

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "pgdev:", err)
		os.Exit(1)
	}
}

type cluster struct {
	bin      string // directory of initdb, pg_ctl, postgres
	dir      string // the data directory
	sockets  string // the socket directory
	port     string
	runAs    string // the user that owns the cluster when we are root
	portFile string // remembers the port the cluster was started on
}

func run(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: pgdev url [DBNAME] | pgdev stop")
	}
	cl, err := newCluster()
	if err != nil {
		return err
	}
	switch args[0] {
	case "url":
		name := "cardconsole"
		if len(args) > 1 {
			name = args[1]
		}
		if err := cl.start(); err != nil {
			return err
		}
		if err := cl.createDatabase(name); err != nil {
			return err
		}
		fmt.Printf("postgres://postgres@127.0.0.1:%s/%s?sslmode=disable\n", cl.port, name)
		return nil
	case "stop":
		if cl.running() {
			return cl.cmd(filepath.Join(cl.bin, "pg_ctl"), "-D", cl.dir, "-m", "fast", "-w", "stop").Run()
		}
		return nil
	}
	return fmt.Errorf("unknown command %q", args[0])
}

func newCluster() (*cluster, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	root, err := filepath.Abs(".data")
	if err != nil {
		return nil, err
	}
	cl := &cluster{bin: bin, dir: filepath.Join(root, "pg"), sockets: filepath.Join(root, "run"), port: os.Getenv("PGDEV_PORT")}
	cl.portFile = filepath.Join(root, "port")
	if cl.port == "" {
		cl.port = "54329"
		if b, err := os.ReadFile(cl.portFile); err == nil && strings.TrimSpace(string(b)) != "" {
			cl.port = strings.TrimSpace(string(b))
		}
	}
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root: the cluster belongs to the postgres user instead.
		if _, err := user.Lookup("postgres"); err != nil {
			return nil, fmt.Errorf("running as root needs the 'postgres' user that the PostgreSQL server package creates")
		}
		cl.runAs = "postgres"
	}
	return cl, nil
}

// findBin locates the server binaries: PG_BIN, the newest /usr/lib/postgresql/*/bin, or PATH.
func findBin() (string, error) {
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

func (cl *cluster) cmd(name string, args ...string) *exec.Cmd {
	var c *exec.Cmd
	if cl.runAs != "" {
		c = exec.Command("runuser", append([]string{"-u", cl.runAs, "--", name}, args...)...)
	} else {
		c = exec.Command(name, args...)
	}
	c.Stderr = os.Stderr
	return c
}

func (cl *cluster) running() bool {
	return cl.cmd(filepath.Join(cl.bin, "pg_ctl"), "-D", cl.dir, "status").Run() == nil
}

func (cl *cluster) start() error {
	if err := os.MkdirAll(filepath.Dir(cl.dir), 0o755); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(cl.dir, "PG_VERSION")); err != nil {
		if err := cl.prepareDir(cl.dir, 0o700); err != nil {
			return err
		}
		init := cl.cmd(filepath.Join(cl.bin, "initdb"), "-D", cl.dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
		init.Stdout = nil
		if err := init.Run(); err != nil {
			return fmt.Errorf("initdb failed: %w", err)
		}
	}
	if err := cl.prepareDir(cl.sockets, 0o755); err != nil {
		return err
	}
	if cl.running() {
		return cl.waitReady()
	}
	if portBusy(cl.port) {
		// Another program (or another checkout's cluster) has the port: take the next free one.
		free, err := freePort(cl.port)
		if err != nil {
			return err
		}
		cl.port = free
	}
	if err := os.WriteFile(cl.portFile, []byte(cl.port+"\n"), 0o644); err != nil {
		return err
	}
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -c port=%s -c unix_socket_directories=%s -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
		cl.port, cl.sockets)
	start := cl.cmd(filepath.Join(cl.bin, "pg_ctl"), "-D", cl.dir, "-l", filepath.Join(cl.dir, "server.log"), "-o", opts, "-w", "-t", "60", "start")
	start.Stdout = nil
	if err := start.Run(); err != nil {
		return fmt.Errorf("could not start PostgreSQL (see %s): %w", filepath.Join(cl.dir, "server.log"), err)
	}
	return cl.waitReady()
}

// prepareDir creates dir owned by the cluster's user.
func (cl *cluster) prepareDir(dir string, mode os.FileMode) error {
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

func (cl *cluster) waitReady() error {
	for i := 0; i < 120; i++ {
		if cl.cmd(filepath.Join(cl.bin, "pg_isready"), "-q", "-h", "127.0.0.1", "-p", cl.port).Run() == nil {
			return nil
		}
		time.Sleep(250 * time.Millisecond)
	}
	return fmt.Errorf("PostgreSQL did not become ready on port %s", cl.port)
}

func (cl *cluster) createDatabase(name string) error {
	psql := filepath.Join(filepath.Dir(cl.bin), "bin", "psql")
	if _, err := os.Stat(psql); err != nil {
		psql = "psql"
	}
	q := exec.Command(psql, "-h", "127.0.0.1", "-p", cl.port, "-U", "postgres", "-d", "postgres", "-tAc",
		fmt.Sprintf("SELECT 1 FROM pg_database WHERE datname = '%s'", strings.ReplaceAll(name, "'", "")))
	out, err := q.Output()
	if err != nil {
		return fmt.Errorf("could not query databases: %w", err)
	}
	if strings.TrimSpace(string(out)) == "1" {
		return nil
	}
	c := exec.Command(psql, "-h", "127.0.0.1", "-p", cl.port, "-U", "postgres", "-d", "postgres", "-qc",
		fmt.Sprintf(`CREATE DATABASE "%s"`, strings.ReplaceAll(name, `"`, "")))
	c.Stderr = os.Stderr
	return c.Run()
}

func freePort(from string) (string, error) {
	var start int
	fmt.Sscanf(from, "%d", &start)
	for p := start + 1; p < start+100; p++ {
		if !portBusy(fmt.Sprint(p)) {
			return fmt.Sprint(p), nil
		}
	}
	return "", fmt.Errorf("no free port after %s; set PGDEV_PORT", from)
}

func portBusy(port string) bool {
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+port, 300*time.Millisecond)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
