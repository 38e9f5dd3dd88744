// Command funds is the load benchmark of the issuer funds API (make bench-funds, docs/performance-funds.md).
//
// In one run on one machine, after a warm-up, it measures in each of several rounds:
//  1. pgbench with a custom script, one conditional UPDATE plus one INSERT per transaction on random
//     rows of 100k: the rate PostgreSQL itself sustains for the smallest possible money movement;
//  2. the issuer API doing ADD_FUNDS and WITHDRAW_FUNDS over HTTP on loopback, on 100k cards spread
//     over 10 partners, with 16 concurrent clients;
//  3. the same with every request on the cards of one partner (the hot case: one partner balance row
//     that every request debits or credits).
//
// It prints both throughputs, their ratio and the app's p50/p99 latency for each round, then the
// medians of the rounds, and checks that every balance still equals the sum of its movements. It uses its own database in the cluster named by
// -admin-url, dropped and created again at the start.
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

	"github.com/lib/pq"

	"cardconsole/handlers"
	"cardconsole/store"
	"cardconsole/web"
)

type options struct {
	adminURL string
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
	flag.StringVar(&o.adminURL, "admin-url", envOr("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:54329/postgres?sslmode=disable"),
		"a database URL of the cluster, with a role that may create databases")
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
	benchURL, err := recreateDatabase(ctx, o.adminURL, o.dbName)
	if err != nil {
		return err
	}
	fmt.Printf("database %s; %d clients, %s per phase, %d cards over %d partners\n\n", o.dbName, o.clients, o.duration, o.cards, o.partners)

	admin, err := sql.Open("postgres", o.adminURL)
	if err != nil {
		return err
	}
	defer admin.Close()
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
	load := loadConfig{base: base, token: token, appID: w.creds.ApplicationID, clients: o.clients, duration: o.duration}
	if err := warmUp(ctx, o, benchURL, meter, st, load, w.cardIDs); err != nil {
		return err
	}

	var pgRates, spreadRates, hotRates, spreadRatios, hotRatios []float64
	for round := 1; round <= o.rounds; round++ {
		fmt.Printf("\nround %d of %d\n", round, o.rounds)
		if err := vacuum(ctx, st); err != nil {
			return err
		}
		pg, err := runPgbench(ctx, o, benchURL, meter, o.duration)
		if err != nil {
			return err
		}
		fmt.Printf("%-60s %8.0f tx/s\n%-60s %s\n", "pgbench (UPDATE ... WHERE balance >= amt; INSERT movement)", pg.rate,
			"", perOp(pg.cpu, pg.count, "pgbench client"))
		if err := vacuum(ctx, st); err != nil {
			return err
		}
		meter.start(ctx)
		spread := load.run(w.cardIDs)
		report(fmt.Sprintf("issuer API, cards of %d partners", o.partners), spread, pg.rate, meter.end())
		if err := vacuum(ctx, st); err != nil {
			return err
		}
		meter.start(ctx)
		hot := load.run(w.cardIDs[:w.perPartner])
		report("issuer API, cards of 1 partner (hot)", hot, pg.rate, meter.end())
		if spread.failures+hot.failures > 0 {
			return fmt.Errorf("round %d: %d requests did not answer 200", round, spread.failures+hot.failures)
		}
		pgRates, spreadRates, hotRates = append(pgRates, pg.rate), append(spreadRates, spread.rate), append(hotRates, hot.rate)
		spreadRatios, hotRatios = append(spreadRatios, spread.rate/pg.rate), append(hotRatios, hot.rate/pg.rate)
	}
	fmt.Printf("\nmedians of %d rounds: pgbench %.0f tx/s; issuer API %.0f req/s (ratio %.2f), hot %.0f req/s (ratio %.2f)\n",
		o.rounds, median(pgRates), median(spreadRates), median(spreadRatios), median(hotRates), median(hotRatios))
	fmt.Printf("ratio per round: issuer API %s; hot %s\n", list(spreadRatios), list(hotRatios))

	if err := checkLedger(ctx, st); err != nil {
		return err
	}
	fmt.Println("\nledger check: every balance equals the sum of its movements and the balance after its last one")
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
	if _, err := runPgbench(ctx, o, dbURL, meter, o.warmup); err != nil {
		return err
	}
	load.duration = o.warmup
	if r := load.run(cardIDs); r.failures > 0 {
		return fmt.Errorf("warm-up: %d of %d requests did not answer 200", r.failures, r.requests)
	}
	_, err := st.DB().ExecContext(ctx, `ANALYZE`)
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

// recreateDatabase drops and creates the benchmark database and returns its URL.
func recreateDatabase(ctx context.Context, adminURL, name string) (string, error) {
	db, err := sql.Open("postgres", adminURL)
	if err != nil {
		return "", err
	}
	defer db.Close()
	ident := pq.QuoteIdentifier(name)
	if _, err := db.ExecContext(ctx, `DROP DATABASE IF EXISTS `+ident+` WITH (FORCE)`); err != nil {
		return "", fmt.Errorf("drop %s: %w", name, err)
	}
	if _, err := db.ExecContext(ctx, `CREATE DATABASE `+ident); err != nil {
		return "", fmt.Errorf("create %s: %w", name, err)
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
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
func runPgbench(ctx context.Context, o options, dbURL string, meter *cpuMeter, d time.Duration) (pgbenchResult, error) {
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
	args := []string{"-n", "-c", strconv.Itoa(o.clients), "-j", strconv.Itoa(min(o.clients, 4)), "-T", strconv.Itoa(int(d.Seconds())),
		"-D", "rows=" + strconv.Itoa(o.cards), "-f", script.Name(), "-h", host, "-p", port, "-U", u.User.Username(), o.dbName}
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
		name, r.rate, r.rate/pgTPS, r.p50.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond), r.requests, r.failures)
	fmt.Printf("%-60s %s\n", "", perOp(cpu, r.requests, "app and load clients"))
	for status, n := range r.statuses {
		if status != http.StatusOK {
			fmt.Printf("    status %d: %d\n", status, n)
		}
	}
}

// perOp is a phase's CPU time per operation, on each side.
func perOp(cpu cpuUse, ops int, self string) string {
	if ops == 0 {
		return ""
	}
	us := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(ops) }
	return fmt.Sprintf("CPU per op: %s %.0f µs, PostgreSQL %.0f µs", self, us(cpu.self), us(cpu.db))
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
