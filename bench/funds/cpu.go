package main

import (
	"context"
	"database/sql"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// clockTick is the unit of utime and stime in /proc/<pid>/stat (USER_HZ, 100 on Linux).
const clockTick = 10 * time.Millisecond

// cpuMeter measures the CPU time a phase costs: this process (the app's server; the load clients
// and pgbench run in child processes, measured by their own rusage) and the PostgreSQL backends connected to the benchmark database. CPU time per operation barely
// depends on what else runs on the machine, unlike a rate, so it is the fairer comparison on a
// shared host. The backends are found in pg_stat_activity through a connection to another database
// (so that the meter's own backend is not counted) and read from /proc; where /proc is not readable
// (another host, another OS) the database side reads as zero.
type cpuMeter struct {
	admin  *sql.DB
	dbName string

	mu       sync.Mutex
	baseline map[int]time.Duration // backend CPU when the phase started (0 for backends started later)
	last     map[int]time.Duration // backend CPU when last seen
	selfAt   time.Duration
	walAt    walUse
	stop     chan struct{}
	done     chan struct{}
}

// cpuUse is what a phase cost: the app's server (this process), the load's client (the load child
// or pgbench) and the PostgreSQL backends, and the WAL the cluster wrote.
type cpuUse struct {
	app, client, db time.Duration
	wal             walUse
}

// walUse is what pg_stat_wal counts for the whole cluster: bytes written, full-page images (the
// first change of a page after a checkpoint, with full_page_writes on) and flushes to disk (with
// fsync on; commits that wait on one flush share it).
type walUse struct {
	bytes, fpi, syncs float64
}

func (m *cpuMeter) readWAL(ctx context.Context) walUse {
	var w walUse
	_ = m.admin.QueryRowContext(ctx, `SELECT wal_bytes, wal_fpi, wal_sync FROM pg_stat_wal`).Scan(&w.bytes, &w.fpi, &w.syncs)
	return w
}

func newCPUMeter(admin *sql.DB, dbName string) *cpuMeter {
	return &cpuMeter{admin: admin, dbName: dbName}
}

// start takes the baseline and polls the backends until stop: backends that exit during the phase
// (pgbench's, at its end) are counted up to their last poll.
func (m *cpuMeter) start(ctx context.Context) {
	m.baseline, m.last = map[int]time.Duration{}, map[int]time.Duration{}
	m.poll(ctx, true)
	m.selfAt = selfCPU()
	m.walAt = m.readWAL(ctx)
	m.stop, m.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(m.done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-m.stop:
				m.poll(ctx, false)
				return
			case <-t.C:
				m.poll(ctx, false)
			}
		}
	}()
}

// end stops polling and returns the phase's CPU time.
func (m *cpuMeter) end() cpuUse {
	self := selfCPU() - m.selfAt
	wal := m.readWAL(context.Background())
	wal = walUse{bytes: wal.bytes - m.walAt.bytes, fpi: wal.fpi - m.walAt.fpi, syncs: wal.syncs - m.walAt.syncs}
	close(m.stop)
	<-m.done
	m.mu.Lock()
	defer m.mu.Unlock()
	var db time.Duration
	for pid, t := range m.last {
		db += t - m.baseline[pid]
	}
	return cpuUse{app: self, db: db, wal: wal}
}

func (m *cpuMeter) poll(ctx context.Context, baseline bool) {
	rows, err := m.admin.QueryContext(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'`, m.dbName)
	if err != nil {
		return
	}
	var pids []int
	for rows.Next() {
		var pid int
		if rows.Scan(&pid) == nil {
			pids = append(pids, pid)
		}
	}
	rows.Close()
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, pid := range pids {
		t, ok := procCPU(pid)
		if !ok {
			continue
		}
		if baseline {
			m.baseline[pid] = t
		}
		m.last[pid] = t
	}
}

// procCPU reads utime + stime of a process from /proc/<pid>/stat.
func procCPU(pid int) (time.Duration, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// The command name (field 2) may hold spaces; the fields after its closing parenthesis start
	// with field 3, so utime (14) and stime (15) are the 12th and 13th of them.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, false
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(u+st) * clockTick, true
}

// selfCPU is the CPU time this process has used.
func selfCPU() time.Duration {
	var self syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	return tv(self.Utime) + tv(self.Stime)
}

func tv(t syscall.Timeval) time.Duration {
	return time.Duration(t.Sec)*time.Second + time.Duration(t.Usec)*time.Microsecond
}
