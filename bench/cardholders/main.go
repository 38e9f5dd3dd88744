// Command cardholders is the benchmark of the cardholder list at scale (docs/performance-cardholders.md).
// It fills a database of its own with N cardholders of one partner, each with a card, then serves
// the real router in-process and times GET .../cardholders for searches by email, phone and
// document fragments and for the first and a deep page of sorted lists, reporting p50 and p95 and
// the EXPLAIN plan of each query (and whether any plan scans a table sequentially).
//
//	psql -h 127.0.0.1 -p 54329 -U postgres -c 'CREATE DATABASE bench_cardholders'
//	go run ./bench/cardholders -db 'postgres://postgres@127.0.0.1:54329/bench_cardholders?sslmode=disable' -n 1000000
//
// It is not part of go test: it takes minutes and a database of about 1.1 GB, and a wall-clock
// figure is never a pass/fail criterion.
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
	"runtime"
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
	operator    = "bench@example.com"
)

func main() {
	db := flag.String("db", os.Getenv("BENCH_DATABASE_URL"), "URL of the benchmark's own database (it is filled with data)")
	n := flag.Int("n", 1_000_000, "cardholders to have in the benchmark partner")
	runs := flag.Int("runs", 40, "timed requests per scenario")
	plans := flag.Bool("plans", true, "print the EXPLAIN (ANALYZE, BUFFERS) plan of each scenario")
	flag.Parse()
	if *db == "" {
		fmt.Fprintln(os.Stderr, "usage: cardholders -db URL [-n 1000000] [-runs 40]")
		os.Exit(2)
	}
	if err := run(context.Background(), *db, *n, *runs, *plans); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
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
	if err := settle(ctx, st); err != nil {
		return err
	}
	srv, headers, err := serve(ctx, st, pid)
	if err != nil {
		return err
	}
	defer srv.Close()

	scenarios, err := buildScenarios(ctx, st, pid)
	if err != nil {
		return err
	}
	fmt.Printf("| scenario | query | rows matched | p50 ms | p95 ms | seq scan of a big table |\n|---|---|---:|---:|---:|---|\n")
	var planText strings.Builder
	for _, sc := range scenarios {
		times, total, err := measure(srv.URL, headers, pid, sc, runs)
		if err != nil {
			return fmt.Errorf("%s: %w", sc.name, err)
		}
		countPlan, pagePlan, err := st.ExplainCardholders(ctx, sc.filter(pid))
		if err != nil {
			return err
		}
		seq := "no"
		if bigSeqScan.MatchString(countPlan + pagePlan) {
			seq = "YES"
		}
		fmt.Printf("| %s | `%s` | %d | %.1f | %.1f | %s |\n", sc.name, sc.query.Encode(), total, pct(times, 50), pct(times, 95), seq)
		fmt.Fprintf(&planText, "\n### %s\n\ncount:\n```\n%s\n```\npage:\n```\n%s\n```\n", sc.name, countPlan, pagePlan)
	}
	if plans {
		fmt.Print(planText.String())
	}
	return nil
}

// bigSeqScan finds a sequential scan of a table that grows with the cardholders. The one-page table
// of per-partner counts is read by a sequential scan, which is the cheapest way to read one page.
var bigSeqScan = regexp.MustCompile(`Seq Scan on (cardholders|cards|accounts)\b`)

// settle vacuums and analyses the tables the list reads, so every run measures the same state:
// fresh statistics and a visibility map that lets index-only scans skip the heap, as autovacuum
// leaves a table in production.
func settle(ctx context.Context, st *store.Store) error {
	for _, t := range []string{"cardholders", "cards", "accounts", "partner_cardholder_counts"} {
		if _, err := st.DB().ExecContext(ctx, `VACUUM ANALYZE `+t); err != nil {
			return err
		}
	}
	var version, buffers string
	if err := st.DB().GetContext(ctx, &version, `SELECT version()`); err != nil {
		return err
	}
	if err := st.DB().GetContext(ctx, &buffers, `SHOW shared_buffers`); err != nil {
		return err
	}
	fmt.Printf("%s; shared_buffers %s; %d CPUs seen by Go\n\n", version, buffers, runtime.NumCPU())
	return nil
}

// serve starts the real router on the database and returns the CMS headers of a viewer operator.
func serve(ctx context.Context, st *store.Store, pid int64) (*httptest.Server, map[string]string, error) {
	app, e := web.New(web.Options{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), BaseURL: "http://127.0.0.1",
		SessionKey: []byte("bench-session-key-bench-session-key"), SessionTTL: time.Hour,
		TokenTTL: store.TokenTTL{App: time.Hour, Access: time.Hour, Refresh: time.Hour}})
	handlers.Routes(e, app)
	srv := httptest.NewServer(e)
	sys := store.SystemActor("bench")
	op, err := st.OperatorByEmail(ctx, operator)
	opID := op.ID
	if err != nil {
		created, cerr := st.CreateOperator(ctx, sys, operator, benchdata.OperatorPassword, false)
		if cerr != nil {
			return srv, nil, fmt.Errorf("create the operator %s: %w", operator, cerr)
		}
		opID = created.ID
	}
	if err := st.Grant(ctx, sys, opID, pid, []string{"viewer"}, nil); err != nil {
		return srv, nil, err
	}
	creds, err := st.CreateApplication(ctx, sys, "bench", []int64{pid})
	if err != nil {
		return srv, nil, err
	}
	var appTok, opTok struct {
		Data struct {
			AccessToken string `json:"accessToken"`
		}
	}
	if err := post(srv.URL+"/cms/rest/app/auth/login", nil, map[string]string{"merchant": creds.Merchant, "secret": creds.Secret}, &appTok); err != nil {
		return srv, nil, err
	}
	h := map[string]string{"Authorization": "Bearer " + appTok.Data.AccessToken}
	if err := post(srv.URL+"/cms/rest/app/users/login", h, map[string]string{"email": operator, "password": benchdata.OperatorPassword}, &opTok); err != nil {
		return srv, nil, err
	}
	h["x-user-token"] = "Bearer " + opTok.Data.AccessToken
	return srv, h, nil
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

// scenario is one list request to time.
type scenario struct {
	name  string
	query url.Values
}

func (s scenario) filter(pid int64) store.CardholderFilter {
	f := store.CardholderFilter{PartnerID: pid, Search: s.query.Get("searchText"), SortBy: s.query.Get("sortBy"),
		SortOrder: s.query.Get("sortOrder")}
	var page, limit int
	fmt.Sscan(s.query.Get("page"), &page)
	fmt.Sscan(s.query.Get("limit"), &limit)
	f.Page = store.NewPage(page, limit)
	return f
}

// buildScenarios takes its fragments from a real row in the middle of the data, so every search
// finds something.
func buildScenarios(ctx context.Context, st *store.Store, pid int64) ([]scenario, error) {
	var row struct {
		Email string `db:"email"`
		Phone string `db:"phone_number"`
		Doc   string `db:"document_number"`
	}
	err := st.DB().GetContext(ctx, &row, `SELECT email, phone_number, document_number FROM cardholders
		WHERE partner_id = $1 ORDER BY id OFFSET (SELECT count(*) / 2 FROM cardholders WHERE partner_id = $1) LIMIT 1`, pid)
	if err != nil {
		return nil, err
	}
	local, _, _ := strings.Cut(row.Email, "@")
	var total int
	if err := st.DB().GetContext(ctx, &total, `SELECT count(*) FROM cardholders WHERE partner_id = $1`, pid); err != nil {
		return nil, err
	}
	deep := max(1, total/50/2) // the middle of the list, 50 a page
	q := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	return []scenario{
		{"search: email fragment", q("searchText", strings.ToUpper(local[len(local)-9:]), "limit", "50")},
		{"search: phone fragment", q("searchText", row.Phone[4:11], "limit", "50")},
		{"search: document fragment", q("searchText", row.Doc[3:11], "limit", "50")},
		{"search: common fragment (a surname)", q("searchText", "castaneda", "limit", "50")},
		{"search: common fragment, by name, page 100", q("searchText", "castaneda", "sortBy", "name", "limit", "50", "page", "100")},
		{"search: three characters", q("searchText", "z43", "limit", "50")},
		{"search: three characters, by email", q("searchText", "z43", "sortBy", "email", "limit", "50")},
		{"first page, newest first (default)", q("limit", "50")},
		{"first page by name", q("sortBy", "name", "sortOrder", "asc", "limit", "50")},
		{"first page by email desc", q("sortBy", "email", "sortOrder", "desc", "limit", "50")},
		{fmt.Sprintf("deep page %d by name", deep), q("sortBy", "name", "sortOrder", "asc", "limit", "50", "page", fmt.Sprint(deep))},
		{fmt.Sprintf("deep page %d by last name desc", deep), q("sortBy", "lastName", "sortOrder", "desc", "limit", "50", "page", fmt.Sprint(deep))},
		{"last page by document number", q("sortBy", "documentNumber", "limit", "50", "page", fmt.Sprint(total/50))},
	}, nil
}

// measure times runs requests after three warm-up ones, and returns the durations in ms and the
// total the list reported.
func measure(base string, headers map[string]string, pid int64, sc scenario, runs int) ([]float64, int, error) {
	u := fmt.Sprintf("%s/cms/rest/app/partners/%d/cardholders?%s", base, pid, sc.query.Encode())
	var times []float64
	var total int
	for i := -3; i < runs; i++ {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		start := time.Now()
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, 0, err
		}
		var out struct {
			Data struct {
				Total int `json:"total"`
			}
		}
		err = json.NewDecoder(res.Body).Decode(&out)
		res.Body.Close()
		elapsed := time.Since(start)
		if err != nil || res.StatusCode != http.StatusOK {
			return nil, 0, fmt.Errorf("GET %s: %d %v", u, res.StatusCode, err)
		}
		total = out.Data.Total
		if i >= 0 {
			times = append(times, float64(elapsed.Microseconds())/1000)
		}
	}
	return times, total, nil
}

// pct is the p-th percentile (nearest rank).
func pct(ms []float64, p int) float64 {
	s := slices.Clone(ms)
	slices.Sort(s)
	i := (p*len(s)+99)/100 - 1
	return s[max(0, min(i, len(s)-1))]
}
