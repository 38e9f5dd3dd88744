// Package cluster runs, on one machine, the application side of a production layout: several
// cardconsole serve instances on one database (and its replica), and HAProxy in front of them,
// round-robin and health-checked on /healthz. make cluster (cmd/cluster), the multi-instance test
// and the live events benchmark use it; the PostgreSQL side is internal/pgcluster's.
package cluster

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Options describe a set of instances behind a proxy.
type Options struct {
	Dir           string   // working folder: logs, pid files, HAProxy's configuration
	Binary        string   // the cardconsole binary
	DatabaseURL   string   // the primary
	ReplicaURL    string   // the streaming replica for stale-tolerant reads; empty for none
	InstancePorts []string // one instance per port
	ProxyPort     string   // HAProxy's port; empty for no proxy
	// Env is the instances' environment beyond DATABASE_URL, DATABASE_REPLICA_URL, ADDR and
	// BASE_URL: SESSION_KEY above all, which must be the same on every instance.
	Env []string
	// Detach lets the processes outlive the caller (make cluster); Down stops them later.
	Detach bool
}

// Set is a running set of instances and its proxy.
type Set struct {
	Options
	Instances []*Process
	Proxy     *Process
}

// Process is one program of the set.
type Process struct {
	Name   string
	Port   string
	pid    int
	log    string
	exited chan struct{} // closed when a child (not detached) exits
}

// HAProxy is Debian's haproxy binary, or HAPROXY when set.
func HAProxy() string {
	if p := os.Getenv("HAPROXY"); p != "" {
		return p
	}
	if p, err := exec.LookPath("haproxy"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/haproxy"); err == nil {
		return "/usr/sbin/haproxy"
	}
	return ""
}

// Up starts the instances one after the other (the first applies pending migrations alone), each
// once its /healthz answers, then the proxy once it sees them all up.
func Up(o Options) (*Set, error) {
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	s := &Set{Options: o}
	for i, port := range o.InstancePorts {
		s.Instances = append(s.Instances, &Process{Name: "instance-" + strconv.Itoa(i+1), Port: port})
		if err := s.StartInstance(i); err != nil {
			s.Down()
			return nil, err
		}
	}
	if o.ProxyPort != "" {
		if err := s.startProxy(); err != nil {
			s.Down()
			return nil, err
		}
	}
	return s, nil
}

// URL is the proxy's base URL.
func (s *Set) URL() string { return "http://127.0.0.1:" + s.ProxyPort }

// InstanceURL is the base URL of instance i, bypassing the proxy.
func (s *Set) InstanceURL(i int) string { return "http://127.0.0.1:" + s.Instances[i].Port }

// StartInstance starts instance i (again) and waits until it is healthy.
func (s *Set) StartInstance(i int) error {
	p := s.Instances[i]
	addr := "127.0.0.1:" + p.Port
	env := append(os.Environ(), s.Env...)
	env = append(env, "DATABASE_URL="+s.DatabaseURL, "ADDR="+addr, "BASE_URL="+s.baseURL(p))
	if s.ReplicaURL != "" {
		env = append(env, "DATABASE_REPLICA_URL="+s.ReplicaURL)
	}
	if err := s.start(p, env, s.Binary, "serve"); err != nil {
		return err
	}
	return p.waitHealthy("http://"+addr+"/healthz", 30*time.Second)
}

// baseURL is the address users reach an instance at: the proxy's when there is one.
func (s *Set) baseURL(p *Process) string {
	if s.ProxyPort != "" {
		return s.URL()
	}
	return "http://127.0.0.1:" + p.Port
}

// StopInstance stops instance i as an orchestrator does (SIGTERM: it drains in-flight requests)
// and waits for it to exit.
func (s *Set) StopInstance(i int) error { return s.Instances[i].stop() }

// Down stops the proxy and every instance.
func (s *Set) Down() {
	if s.Proxy != nil {
		_ = s.Proxy.stop()
	}
	for _, p := range s.Instances {
		_ = p.stop()
	}
}

func (s *Set) startProxy() error {
	cfg := filepath.Join(s.Dir, "haproxy.cfg")
	if err := os.WriteFile(cfg, []byte(haproxyConfig(s.ProxyPort, s.InstancePorts)), 0o644); err != nil {
		return err
	}
	bin := HAProxy()
	if bin == "" {
		return errors.New("HAProxy is not installed (Debian: apt-get install haproxy)")
	}
	s.Proxy = &Process{Name: "haproxy", Port: s.ProxyPort}
	if err := s.start(s.Proxy, os.Environ(), bin, "-f", cfg); err != nil {
		return err
	}
	// Ready when the proxy answers through a healthy instance.
	return s.Proxy.waitHealthy(s.URL()+"/healthz", 15*time.Second)
}

// haproxyConfig balances round-robin over the instances, checking /healthz every second: an
// instance that fails two checks in a row takes no more requests until one succeeds. A request
// whose connection an instance refused (it is stopping) is sent to another one. Timeouts are long
// enough for event streams, which send a heartbeat every 15 s.
func haproxyConfig(port string, instances []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `global
    maxconn 4096

defaults
    mode http
    option http-server-close
    option redispatch
    retries 3
    timeout connect 2s
    timeout client 1m
    timeout server 1m
    timeout tunnel 1h
    timeout http-request 10s

frontend console
    bind 127.0.0.1:%s
    default_backend instances

backend instances
    balance roundrobin
    option httpchk GET /healthz
    http-check expect status 200
    default-server inter 1s fall 2 rise 1
`, port)
	for i, p := range instances {
		fmt.Fprintf(&b, "    server instance-%d 127.0.0.1:%s check\n", i+1, p)
	}
	return b.String()
}

// start runs the program with its output in the set's folder; detached, in its own session with
// its pid written down for Down.
func (s *Set) start(p *Process, env []string, bin string, args ...string) error {
	p.log = filepath.Join(s.Dir, p.Name+".log")
	out, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer out.Close()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = out, out
	if s.Detach {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", p.Name, err)
	}
	p.pid = cmd.Process.Pid
	if s.Detach {
		_ = cmd.Process.Release()
		return os.WriteFile(filepath.Join(s.Dir, p.Name+".pid"), []byte(strconv.Itoa(p.pid)+"\n"), 0o644)
	}
	// Reap the child as soon as it exits, so that stop sees it gone.
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	p.exited = exited
	return nil
}

// waitHealthy polls url until it answers 200, or the process exits, or the time is up.
func (p *Process) waitHealthy(url string, limit time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if !p.alive() {
			return fmt.Errorf("%s exited at start: %s", p.Name, tail(p.log))
		}
		if res, err := client.Get(url); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer %s in %s: %s", p.Name, url, limit, tail(p.log))
}

// alive reports whether the process still runs.
func (p *Process) alive() bool {
	if p.exited != nil {
		select {
		case <-p.exited:
			return false
		default:
			return true
		}
	}
	return p.pid > 0 && syscall.Kill(p.pid, 0) == nil
}

// stop sends SIGTERM and waits up to 30 s for the exit, then kills.
func (p *Process) stop() error {
	if p.pid <= 0 || !p.alive() {
		return nil
	}
	_ = syscall.Kill(p.pid, syscall.SIGTERM)
	for i := 0; i < 600 && p.alive(); i++ {
		time.Sleep(50 * time.Millisecond)
	}
	if p.alive() {
		_ = syscall.Kill(p.pid, syscall.SIGKILL)
		return fmt.Errorf("%s did not stop on SIGTERM within 30 s: killed", p.Name)
	}
	return nil
}

// Down stops the processes that a detached Up started in dir, proxy first, from their pid files.
func Down(dir string) error {
	files, _ := filepath.Glob(filepath.Join(dir, "*.pid"))
	// haproxy.pid sorts before instance-*.pid: the proxy stops taking requests first.
	var errs []error
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		p := &Process{Name: strings.TrimSuffix(filepath.Base(f), ".pid"), pid: pid}
		if ours(pid) {
			if err := p.stop(); err != nil {
				errs = append(errs, err)
			}
		}
		_ = os.Remove(f)
	}
	return errors.Join(errs...)
}

// ours reports whether pid is still a program of the set: after a reboot a pid file may name an
// unrelated process, which must not be stopped.
func ours(pid int) bool {
	cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		return pid > 0 && syscall.Kill(pid, 0) == nil // no /proc: trust the pid file
	}
	return bytes.Contains(cmdline, []byte("cardconsole")) || bytes.Contains(cmdline, []byte("haproxy"))
}

// tail is the end of a log file, for errors at start.
func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return strings.TrimSpace(string(b))
}

// FreePorts returns n loopback ports that are free now.
func FreePorts(n int) ([]string, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []string
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, strconv.Itoa(l.Addr().(*net.TCPAddr).Port))
	}
	return ports, nil
}
