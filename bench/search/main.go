// Command search is the benchmark of the header search at scale (make bench-search,
// docs/performance-cardholders.md). It fills a database of its own with N cardholders of one
// partner, each with a card (internal/benchdata, reused when already there), serves the real router
// in-process, and for an email fragment, a phone fragment, a common surname and a card's last four
// digits measures in the same run, interleaved, the p50 and p95 of GET /cms/rest/app/search?q= and of
// the raw SQL that request runs (store.SearchStatements, the same statements with the same
// arguments, one after the other on the same pool), and their ratio. It prints the EXPLAIN
// (ANALYZE, BUFFERS) plan of each statement and flags a sequential scan of a big table.
//
//	go run ./bench/search -db "$BENCH_DATABASE_URL" -n 1000000 -runs 100
//
// It is not part of go test: it takes minutes and about 1.1 GB, and a wall-clock figure is never a
// pass/fail criterion.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"cardconsole/handlers"
	"cardconsole/internal/benchdata"
	"cardconsole/store"
	"cardconsole/web"
)

const (
	partnerName = "Bench Pay"
	operator    = "search-bench@example.com"
)

func main() {
	db := flag.String("db", os.Getenv("BENCH_DATABASE_URL"), "URL of the benchmark's own database (it is filled with data)")
	n := flag.Int("n", 1_000_000, "cardholders to have in the benchmark partner")
	runs := flag.Int("runs", 100, "timed requests (and raw SQL runs) per scenario")
	plans := flag.Bool("plans", true, "print the EXPLAIN (ANALYZE, BUFFERS) plan of each statement")
	flag.Parse()
	if *db == "" {
		fmt.Fprintln(os.Stderr, "usage: search -db URL [-n 1000000] [-runs 100]")
		os.Exit(2)
	}
	if err := run(context.Background(), *db, *n, *runs, *plans); err != nil {
		fmt.Fprintln(os.Stderr, "bench-search:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dbURL string, n, runs int, plans bool) error {
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := store.Migrate(ctx, st.DB().DB); err != nil {
		return err
	}
	pid, err := benchdata.Partner(ctx, st, partnerName)
	if err != nil {
		return err
	}
	if err := benchdata.FillCardholders(ctx, st, pid, n); err != nil {
		return err
	}
	for _, t := range []string{"cardholders", "cards", "accounts", "operator_permissions"} {
		if _, err := st.DB().ExecContext(ctx, `VACUUM ANALYZE `+t); err != nil {
			return err
		}
	}
	var version string
	if err := st.DB().GetContext(ctx, &version, `SELECT version() || '; shared_buffers ' || current_setting('shared_buffers')`); err != nil {
		return err
	}
	srv, headers, opID, err := serve(ctx, st, pid)
	if err != nil {
		return err
	}
	defer srv.Close()
	scenarios, err := buildScenarios(ctx, st, pid)
	if err != nil {
		return err
	}
	fmt.Printf("%s; %d cardholders in one partner; %d timed runs each (after 5 unmeasured), API and SQL interleaved; load average %s\n\n",
		version, n, runs, benchdata.LoadAverage())
	fmt.Println("| scenario | q | statements | results | API p50 ms | API p95 ms | SQL p50 ms | SQL p95 ms | p95 ratio | load average |")
	fmt.Println("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
	var planText strings.Builder
	for _, sc := range scenarios {
		stmts, err := store.SearchStatements(opID, sc.q)
		if err != nil {
			return err
		}
		api, raw, results, err := measure(ctx, st, srv.URL, headers, sc.q, stmts, runs)
		if err != nil {
			return fmt.Errorf("%s: %w", sc.name, err)
		}
		fmt.Printf("| %s | `%s` | %d | %d | %.2f | %.2f | %.2f | %.2f | **%.2f** | %s |\n", sc.name, sc.q, len(stmts), results,
			pct(api, 50), pct(api, 95), pct(raw, 50), pct(raw, 95), pct(api, 95)/pct(raw, 95), benchdata.LoadAverage())
		for _, s := range stmts {
			plan, err := explain(ctx, st, s)
			if err != nil {
				return err
			}
			seq := ""
			if bigSeqScan.MatchString(plan) {
				seq = " — SEQUENTIAL SCAN OF A BIG TABLE"
			}
			fmt.Fprintf(&planText, "\n### %s: %s%s\n\n```\n%s\n```\n", sc.name, s.Group, seq, plan)
		}
	}
	if plans {
		fmt.Print(planText.String())
	}
	return nil
}

// bigSeqScan finds a sequential scan of a table that grows with the cardholders.
var bigSeqScan = regexp.MustCompile(`Seq Scan on (cardholders|cards|accounts)\b`)

// serve starts the real router on the database and returns the CMS headers of an operator who may
// search every group on the partner, and the operator's id.
func serve(ctx context.Context, st *store.Store, pid int64) (*httptest.Server, map[string]string, int64, error) {
	app, e := web.New(web.Options{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), BaseURL: "http://127.0.0.1",
		SessionKey: []byte("bench-session-key-bench-session-key"), SessionTTL: time.Hour,
		TokenTTL: store.TokenTTL{App: time.Hour, Access: time.Hour, Refresh: time.Hour}})
	handlers.Routes(e, app)
	srv := httptest.NewServer(e)
	sys := store.SystemActor("bench")
	var opID int64
	if op, err := st.OperatorByEmail(ctx, operator); err == nil {
		opID = op.ID
	} else {
		created, err := st.CreateOperator(ctx, sys, operator, benchdata.OperatorPassword, false)
		if err != nil {
			return srv, nil, 0, err
		}
		opID = created.ID
	}
	perms := []string{"cardholders:list", "cards-admin:detail", "balance-management:list", "approvals:list"}
	if err := st.Grant(ctx, sys, opID, pid, nil, perms); err != nil {
		return srv, nil, 0, err
	}
	creds, err := st.CreateApplication(ctx, sys, "search bench", []int64{pid})
	if err != nil {
		return srv, nil, 0, err
	}
	var appTok, opTok struct {
		Data struct {
			AccessToken string `json:"accessToken"`
		}
	}
	if err := post(srv.URL+"/cms/rest/app/auth/login", nil, map[string]string{"merchant": creds.Merchant, "secret": creds.Secret}, &appTok); err != nil {
		return srv, nil, 0, err
	}
	h := map[string]string{"Authorization": "Bearer " + appTok.Data.AccessToken}
	if err := post(srv.URL+"/cms/rest/app/users/login", h, map[string]string{"email": operator, "password": benchdata.OperatorPassword}, &opTok); err != nil {
		return srv, nil, 0, err
	}
	h["x-user-token"] = "Bearer " + opTok.Data.AccessToken
	return srv, h, opID, nil
}

func post(u string, headers map[string]string, body, out any) error {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, u, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		raw, _ := io.ReadAll(res.Body)
		return fmt.Errorf("POST %s: %d %s", u, res.StatusCode, raw)
	}
	return json.NewDecoder(res.Body).Decode(out)
}

// scenario is one search to time.
type scenario struct{ name, q string }

// buildScenarios takes the fragments from a real row in the middle of the data, so each finds it.
func buildScenarios(ctx context.Context, st *store.Store, pid int64) ([]scenario, error) {
	var row struct {
		Email string `db:"email"`
		Phone string `db:"phone_number"`
		Last4 string `db:"last4"`
	}
	err := st.DB().GetContext(ctx, &row, `SELECT ch.email, ch.phone_number, c.last4 FROM cardholders ch JOIN cards c ON c.cardholder_id = ch.id
		WHERE ch.partner_id = $1 ORDER BY ch.id OFFSET (SELECT count(*) / 2 FROM cardholders WHERE partner_id = $1) LIMIT 1`, pid)
	if err != nil {
		return nil, err
	}
	local, _, _ := strings.Cut(row.Email, "@")
	return []scenario{
		{"email fragment", strings.ToUpper(local[len(local)-9:])},
		{"phone fragment", row.Phone[4:11]},
		{"common surname", "Castañeda"},
		{"card's last 4", row.Last4},
	}, nil
}

// measure times the request and the raw statements alternately, five times unmeasured then runs
// times each, and returns the durations in ms and how many results the request found.
func measure(ctx context.Context, st *store.Store, base string, headers map[string]string, q string, stmts []store.SearchStatement,
	runs int) (api, raw []float64, results int, err error) {
	u := base + "/cms/rest/app/search?q=" + url.QueryEscape(q)
	for i := -5; i < runs; i++ {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		start := time.Now()
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, nil, 0, err
		}
		var out struct {
			Data []struct {
				Items []json.RawMessage `json:"items"`
			}
		}
		err = json.NewDecoder(res.Body).Decode(&out)
		res.Body.Close()
		apiTime := time.Since(start)
		if err != nil || res.StatusCode != http.StatusOK {
			return nil, nil, 0, fmt.Errorf("GET %s: %d %v", u, res.StatusCode, err)
		}
		results = 0
		for _, g := range out.Data {
			results += len(g.Items)
		}
		start = time.Now()
		for _, s := range stmts {
			var hits []store.SearchHit
			if err := st.DB().SelectContext(ctx, &hits, s.SQL, s.Args...); err != nil {
				return nil, nil, 0, fmt.Errorf("%s: %w", s.Group, err)
			}
		}
		rawTime := time.Since(start)
		if i >= 0 {
			api = append(api, float64(apiTime.Microseconds())/1000)
			raw = append(raw, float64(rawTime.Microseconds())/1000)
		}
	}
	return api, raw, results, nil
}

// explain is the EXPLAIN (ANALYZE, BUFFERS) plan of a statement with its arguments.
func explain(ctx context.Context, st *store.Store, s store.SearchStatement) (string, error) {
	var lines []string
	if err := st.DB().SelectContext(ctx, &lines, `EXPLAIN (ANALYZE, BUFFERS) `+s.SQL, s.Args...); err != nil {
		return "", fmt.Errorf("explain %s: %w", s.Group, err)
	}
	return strings.Join(lines, "\n"), nil
}

// pct is the p-th percentile (nearest rank).
func pct(ms []float64, p int) float64 {
	s := slices.Clone(ms)
	slices.Sort(s)
	i := (p*len(s)+99)/100 - 1
	return s[max(0, min(i, len(s)-1))]
}
