// Command funds is the load benchmark of the issuer funds API (make bench-funds, docs/performance-funds.md).
//
// In one run on one machine, after a warm-up, it measures in each of several rounds:
//
//  1. pgbench with a custom script, one conditional UPDATE plus one INSERT per transaction on random
//     rows of 100k: the rate PostgreSQL itself sustains for the smallest possible money movement;
//  2. the issuer API doing ADD_FUNDS and WITHDRAW_FUNDS over HTTP on loopback, on 100k cards spread
//     over 10 partners, with 16 concurrent clients;
//  3. the same with every request on the cards of one partner (the hot case: one partner balance row
//     that every request debits or credits);
//  4. one hot card (one card's balance and its partner's, every request) at 8 and at 32 clients,
//     and pgbench on one row at 8 and at 32 connections.
//
// It prints both throughputs, their ratio, the app's p50/p99 latency and the CPU time per operation
// of the app, of the load's client (a child process, as pgbench is) and of PostgreSQL, and the WAL
// written and operations per WAL flush, for each phase; then the medians of the rounds; and checks
// that every balance still equals the sum of its movements. It uses its own database, dropped and
// created again at the start, in the cluster named by -admin-url (BENCH_DATABASE_URL) or, by
// default, in a private cluster with PostgreSQL's default (durable) settings that it starts under
// -data and stops at the end.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"cardconsole/handlers"
	"cardconsole/internal/benchdata"
	"cardconsole/store"
	"cardconsole/web"
)

type options struct {
	adminURL string
	dataDir  string
	dbName   string
	pgbench  string
	duration time.Duration
	clients  int
	cards    int
	partners int
	logTo    string
	warmup   time.Duration
	rounds   int
}

func main() {
	var o options
	flag.StringVar(&o.adminURL, "admin-url", os.Getenv("BENCH_DATABASE_URL"),
		"a database URL of the cluster, with a role that may create databases; none starts a private durable cluster under -data")
	flag.StringVar(&o.dataDir, "data", "bench/funds/.data", "where the private cluster lives when -admin-url is not given (kept between runs)")
	loadChildMode := flag.Bool("load-child", false, "internal: send the load described on standard input (the benchmark runs itself so)")
	flag.StringVar(&o.dbName, "db", "cardconsole_bench", "the benchmark's own database (dropped and created again)")
	flag.StringVar(&o.pgbench, "pgbench", "/usr/lib/postgresql/15/bin/pgbench", "the pgbench binary")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "how long each of the three phases of a round runs")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds of the three phases; the summary gives their medians")
	flag.DurationVar(&o.warmup, "warmup", 5*time.Second, "how long pgbench and the app run, unmeasured, before their phases")
	flag.IntVar(&o.clients, "clients", 16, "concurrent clients (pgbench connections and HTTP clients)")
	flag.IntVar(&o.cards, "cards", 100000, "cards (and pgbench rows)")
	flag.IntVar(&o.partners, "partners", 10, "partners the cards are spread over")
	flag.StringVar(&o.logTo, "log", os.DevNull, "where the app writes its request log")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the app (server and clients) to this file")
	flag.Parse()
	if *loadChildMode {
		if err := loadChild(); err != nil {
			fmt.Fprintln(os.Stderr, "bench-funds load client:", err)
			os.Exit(1)
		}
		return
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench-funds:", err)
			os.Exit(1)
		}
		_ = pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if err := run(context.Background(), o); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "bench-funds:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	if o.adminURL == "" {
		cl, err := benchdata.DurableCluster(o.dataDir, "54349")
		if err != nil {
			return err
		}
		defer cl.Stop()
		o.adminURL = cl.URL("postgres")
	}
	benchURL, err := benchdata.RecreateDatabase(ctx, o.adminURL, o.dbName)
	if err != nil {
		return err
	}
	admin, err := sql.Open("postgres", o.adminURL)
	if err != nil {
		return err
	}
	defer admin.Close()
	if err := printSettings(ctx, admin); err != nil {
		return err
	}
	fmt.Printf("database %s; %d clients, %s per phase, %d cards over %d partners\n\n", o.dbName, o.clients, o.duration, o.cards, o.partners)
	meter := newCPUMeter(admin, o.dbName)
	if err := createPgbenchTables(ctx, o, benchURL); err != nil {
		return err
	}

	st, err := store.Open(ctx, benchURL)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := store.Migrate(ctx, st.DB().DB); err != nil {
		return err
	}
	w, err := seed(ctx, st, o)
	if err != nil {
		return err
	}
	srv, base, err := serve(st, o.logTo)
	if err != nil {
		return err
	}
	defer srv.Close()
	token, err := appToken(base, w.creds)
	if err != nil {
		return err
	}
	load := loadConfig{Base: base, Token: token, AppID: w.creds.ApplicationID, Clients: o.clients, Duration: o.duration}
	if err := warmUp(ctx, o, benchURL, meter, st, load, w.cardIDs); err != nil {
		return err
	}

	var m medians
	for round := 1; round <= o.rounds; round++ {
		fmt.Printf("\nround %d of %d (load average %s)\n", round, o.rounds, benchdata.LoadAverage())
		// phase runs one measured phase on a vacuumed database.
		phase := func(run func() (float64, int, cpuUse, error)) (float64, error) {
			if err := vacuum(ctx, st); err != nil {
				return 0, err
			}
			rate, _, _, err := run()
			return rate, err
		}
		pgPhase := func(name string, clients, rows int) (float64, error) {
			return phase(func() (float64, int, cpuUse, error) {
				pg, err := runPgbench(ctx, o, benchURL, meter, o.duration, clients, rows)
				if err == nil {
					fmt.Printf("%-60s %8.0f tx/s\n%-60s %s\n", name, pg.rate, "", perOp(pg.cpu, pg.count))
				}
				return pg.rate, pg.count, pg.cpu, err
			})
		}
		apiPhase := func(name string, clients int, cards []int64, pgRate float64) (float64, error) {
			return phase(func() (float64, int, cpuUse, error) {
				l := load
				l.Clients = clients
				meter.start(ctx)
				r, err := l.run(cards)
				cpu := meter.end()
				if err != nil {
					return 0, 0, cpu, err
				}
				cpu.client = r.ClientCPU
				report(name, r, pgRate, cpu)
				if r.Failures > 0 {
					return 0, 0, cpu, fmt.Errorf("round %d, %s: %d requests did not answer 200", round, name, r.Failures)
				}
				return r.Rate, r.Requests, cpu, nil
			})
		}
		pg, err := pgPhase(fmt.Sprintf("pgbench, %d rows (UPDATE ... WHERE balance >= amt; INSERT)", o.cards), o.clients, o.cards)
		if err != nil {
			return err
		}
		spread, err := apiPhase(fmt.Sprintf("issuer API, cards of %d partners", o.partners), o.clients, w.cardIDs, pg)
		if err != nil {
			return err
		}
		hot, err := apiPhase("issuer API, cards of 1 partner (hot)", o.clients, w.cardIDs[:w.perPartner], pg)
		if err != nil {
			return err
		}
		pg8, err := pgPhase("pgbench, 1 row, 8 connections", 8, 1)
		if err != nil {
			return err
		}
		pg32, err := pgPhase("pgbench, 1 row, 32 connections", 32, 1)
		if err != nil {
			return err
		}
		card8, err := apiPhase("issuer API, 1 card, 8 clients", 8, w.cardIDs[:1], pg8)
		if err != nil {
			return err
		}
		card32, err := apiPhase("issuer API, 1 card, 32 clients", 32, w.cardIDs[:1], pg32)
		if err != nil {
			return err
		}
		m.add(pg, spread, hot, pg8, pg32, card8, card32)
	}
	m.print(o.rounds)
	if err := checkLedger(ctx, st); err != nil {
		return err
	}
	fmt.Println("\nledger check: every balance equals the sum of its movements and the balance after its last one")
	return nil
}

// medians collects the rates of the rounds.
type medians struct {
	pg, spread, hot, pg8, pg32, card8, card32 []float64
}

func (m *medians) add(pg, spread, hot, pg8, pg32, card8, card32 float64) {
	m.pg, m.spread, m.hot = append(m.pg, pg), append(m.spread, spread), append(m.hot, hot)
	m.pg8, m.pg32, m.card8, m.card32 = append(m.pg8, pg8), append(m.pg32, pg32), append(m.card8, card8), append(m.card32, card32)
}

func (m *medians) print(rounds int) {
	ratios := func(a, b []float64) []float64 {
		out := make([]float64, len(a))
		for i := range a {
			out[i] = a[i] / b[i]
		}
		return out
	}
	spreadR, hotR, cardR := ratios(m.spread, m.pg), ratios(m.hot, m.pg), ratios(m.card32, m.card8)
	fmt.Printf("\nmedians of %d rounds: pgbench %.0f tx/s; issuer API %.0f req/s (ratio %.2f), hot partner %.0f req/s (ratio %.2f)\n",
		rounds, median(m.pg), median(m.spread), median(spreadR), median(m.hot), median(hotR))
	fmt.Printf("ratio per round: issuer API %s; hot partner %s\n", list(spreadR), list(hotR))
	fmt.Printf("one card: 8 clients %.0f req/s, 32 clients %.0f req/s (32/8 per round: %s, median %.2f); pgbench one row: 8 %.0f tx/s, 32 %.0f tx/s\n",
		median(m.card8), median(m.card32), list(cardR), median(cardR), median(m.pg8), median(m.pg32))
}

// printSettings prints the server's version and the settings that decide what a commit costs.
func printSettings(ctx context.Context, db *sql.DB) error {
	var version, fsync, syncCommit, fpw, buffers string
	err := db.QueryRowContext(ctx, `SELECT version(), current_setting('fsync'), current_setting('synchronous_commit'),
		current_setting('full_page_writes'), current_setting('shared_buffers')`).Scan(&version, &fsync, &syncCommit, &fpw, &buffers)
	if err != nil {
		return err
	}
	fmt.Printf("%s\nfsync=%s synchronous_commit=%s full_page_writes=%s shared_buffers=%s; load average %s\n",
		version, fsync, syncCommit, fpw, buffers, benchdata.LoadAverage())
	return nil
}

// warmUp runs pgbench and then the app, unmeasured, for the warm-up time each, then refreshes the
// planner's statistics: the measured rounds then start on tables that hold rows and on connections
// that have prepared their statements, as in a deployment that has been running. Without it, the
// first plans of each connection are made for empty tables and kept until autovacuum's first
// analyze of them, which comes after the rounds end (docs/performance-funds.md).
func warmUp(ctx context.Context, o options, dbURL string, meter *cpuMeter, st *store.Store, load loadConfig, cardIDs []int64) error {
	if o.warmup <= 0 {
		return nil
	}
	if _, err := runPgbench(ctx, o, dbURL, meter, o.warmup, o.clients, o.cards); err != nil {
		return err
	}
	load.Duration = o.warmup
	r, err := load.run(cardIDs)
	if err != nil {
		return err
	}
	if r.Failures > 0 {
		return fmt.Errorf("warm-up: %d of %d requests did not answer 200", r.Failures, r.Requests)
	}
	_, err = st.DB().ExecContext(ctx, `ANALYZE`)
	return err
}

// vacuum vacuums the benchmark database before a phase, so that every phase, pgbench's and the
// app's, starts without the dead rows of the previous ones: pgbench updates its 100,000 rows about
// 50,000 times a phase, and without it its rate fell by a quarter from one round to the next.
func vacuum(ctx context.Context, st *store.Store) error {
	_, err := st.DB().ExecContext(ctx, `VACUUM`)
	return err
}

// median is the middle value of xs (the mean of the two middle ones for an even count).
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// list prints ratios as "0.51, 0.55, 0.49".
func list(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.FormatFloat(x, 'f', 2, 64)
	}
	return strings.Join(parts, ", ")
}

// pgbenchScript is one conditional UPDATE plus one INSERT per transaction, on a random row.
const pgbenchScript = `\set aid random(1, :rows)
\set amt random(1, 1000)
BEGIN;
UPDATE bench_accounts SET balance = balance - :amt WHERE id = :aid AND balance >= :amt;
INSERT INTO bench_movements (account_id, amount) VALUES (:aid, :amt);
END;
`

var (
	tpsLine   = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)
	countLine = regexp.MustCompile(`number of transactions actually processed: ([0-9]+)`)
)

// pgbenchResult is pgbench's rate, how many transactions it ran and the CPU time they took.
type pgbenchResult struct {
	rate  float64
	count int
	cpu   cpuUse
}

// createPgbenchTables creates pgbench's tables in the benchmark database: 100k accounts (o.cards)
// with a large balance, and an empty movements table.
func createPgbenchTables(ctx context.Context, o options, dbURL string) error {
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, `
		CREATE TABLE bench_accounts (id integer PRIMARY KEY, balance numeric(20,4) NOT NULL CHECK (balance >= 0));
		CREATE TABLE bench_movements (id bigserial PRIMARY KEY, account_id integer NOT NULL, amount numeric(20,4) NOT NULL,
		                              created_at timestamptz NOT NULL DEFAULT now());
		INSERT INTO bench_accounts SELECT g, 1000000000 FROM generate_series(1, `+strconv.Itoa(o.cards)+`) g;`)
	if err != nil {
		return fmt.Errorf("pgbench tables: %w", err)
	}
	_, err = db.ExecContext(ctx, `VACUUM ANALYZE bench_accounts`)
	return err
}

// runPgbench runs the script for d and returns its rate. The meter measures the CPU time of pgbench
// itself and of its backends.
func runPgbench(ctx context.Context, o options, dbURL string, meter *cpuMeter, d time.Duration, clients, rows int) (pgbenchResult, error) {
	script, err := os.CreateTemp("", "bench-funds-*.sql")
	if err != nil {
		return pgbenchResult{}, err
	}
	defer os.Remove(script.Name())
	if _, err := script.WriteString(pgbenchScript); err != nil {
		return pgbenchResult{}, err
	}
	script.Close()
	u, _ := url.Parse(dbURL)
	// The URL names a TCP host, or a socket directory in its host parameter (lib/pq's form);
	// pgbench connects the same way as the app.
	host, port := u.Hostname(), u.Port()
	if h := u.Query().Get("host"); h != "" {
		host = h
	}
	if p := u.Query().Get("port"); p != "" {
		port = p
	}
	args := []string{"-n", "-c", strconv.Itoa(clients), "-j", strconv.Itoa(min(clients, 4)), "-T", strconv.Itoa(int(d.Seconds())),
		"-D", "rows=" + strconv.Itoa(rows), "-f", script.Name(), "-h", host, "-p", port, "-U", u.User.Username(), o.dbName}
	cmd := exec.CommandContext(ctx, o.pgbench, args...)
	if pass, ok := u.User.Password(); ok {
		cmd.Env = append(os.Environ(), "PGPASSWORD="+pass)
	}
	meter.start(ctx)
	out, err := cmd.CombinedOutput()
	cpu := meter.end()
	if err != nil {
		return pgbenchResult{}, fmt.Errorf("pgbench: %w\n%s", err, out)
	}
	rate, count := tpsLine.FindSubmatch(out), countLine.FindSubmatch(out)
	if rate == nil || count == nil {
		return pgbenchResult{}, fmt.Errorf("pgbench printed no rate:\n%s", out)
	}
	cpu.client = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	r := pgbenchResult{cpu: cpu}
	r.rate, _ = strconv.ParseFloat(string(rate[1]), 64)
	r.count, _ = strconv.Atoi(string(count[1]))
	return r, nil
}

// serve starts the console's router on a loopback port, as cardconsole serve does, garbage
// collector settings and request log included: one JSON line per request written to logTo (the null device by default), as serve
// writes them to its standard error.
func serve(st *store.Store, logTo string) (*http.Server, string, error) {
	logFile, err := os.OpenFile(logTo, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, "", err
	}
	logger := slog.New(slog.NewJSONHandler(logFile, nil))
	web.TuneGC() // as cardconsole serve does
	app, e := web.New(web.Options{Store: st, Logger: logger, BaseURL: "http://127.0.0.1",
		SessionKey: []byte("bench-session-key-bench-session-key"), SessionTTL: time.Hour,
		TokenTTL: store.TokenTTL{App: time.Hour, Access: time.Hour, Refresh: time.Hour}})
	handlers.Routes(e, app)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return srv, "http://" + ln.Addr().String(), nil
}

func report(name string, r result, pgTPS float64, cpu cpuUse) {
	fmt.Printf("%-60s %8.0f req/s  ratio %.2f  p50 %s  p99 %s  (%d requests, %d not 200)\n",
		name, r.Rate, r.Rate/pgTPS, r.P50.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond), r.Requests, r.Failures)
	fmt.Printf("%-60s %s\n", "", perOp(cpu, r.Requests))
	for status, n := range r.Statuses {
		if status != http.StatusOK {
			fmt.Printf("    status %d: %d\n", status, n)
		}
	}
}

// perOp is a phase's CPU time per operation, on each side: the app's server (none for pgbench), the
// load's client (the HTTP load clients, or pgbench) and PostgreSQL.
func perOp(cpu cpuUse, ops int) string {
	if ops == 0 {
		return ""
	}
	us := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(ops) }
	n := float64(ops)
	perFlush := 0.0
	if cpu.wal.syncs > 0 {
		perFlush = n / cpu.wal.syncs
	}
	return fmt.Sprintf("CPU per op: app %.0f µs, client %.0f µs, PostgreSQL %.0f µs; WAL per op %.0f bytes, %.2f full-page images; %.1f ops per WAL flush",
		us(cpu.app), us(cpu.client), us(cpu.db), cpu.wal.bytes/n, cpu.wal.fpi/n, perFlush)
}
