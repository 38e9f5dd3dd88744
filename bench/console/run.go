package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"cardconsole/handlers"
	"cardconsole/internal/benchdata"
	"cardconsole/store"
	"cardconsole/web"
)

const (
	partnerName = "Bench Pay"
	password    = "bench-password-1"
)

func run(ctx context.Context, o options) error {
	st, err := store.Open(ctx, o.dbURL)
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
	start := time.Now()
	if err := benchdata.FillCardholders(ctx, st, pid, o.cardholders); err != nil {
		return err
	}
	if err := benchdata.FillClientRequests(ctx, st, pid, o.requests); err != nil {
		return err
	}
	if err := benchdata.FillMovements(ctx, st, pid, o.movements); err != nil {
		return err
	}
	if err := settle(ctx, st, pid, time.Since(start) > time.Minute); err != nil {
		return err
	}
	pages, err := buildPages(ctx, st, pid)
	if err != nil {
		return err
	}
	pages = slices.DeleteFunc(pages, func(p page) bool { return slices.Contains(strings.Split(o.skip, ","), p.name) })
	pageOf := pageNames(pages)
	srv, base, timings, err := serve(st, pageOf)
	if err != nil {
		return err
	}
	defer srv.Close()
	sessions, err := signIn(ctx, st, base, pid, o.clients)
	if err != nil {
		return err
	}
	targeter := func(t *vegeta.Target) error {
		p := pages[rand.IntN(len(pages))]
		*t = vegeta.Target{Method: http.MethodGet, URL: base + p.paths[rand.IntN(len(p.paths))],
			Header: http.Header{"Accept": {"text/html,application/xhtml+xml"}, "Cookie": {sessions[rand.IntN(len(sessions))]}}}
		return nil
	}
	// -clients views every -think, at a steady pace whatever the answers' times, from at most
	// -clients workers; with no think time, a zero rate and a bound on the workers is a closed loop:
	// each worker sends its next view as soon as the previous one is answered. An attacker stops for
	// good at the end of its attack, so each phase has its own.
	rate := vegeta.Rate{}
	if o.think > 0 {
		rate = vegeta.Rate{Freq: o.clients, Per: o.think}
	}
	attacker := func() *vegeta.Attacker {
		return vegeta.NewAttacker(vegeta.Workers(uint64(o.clients)), vegeta.MaxWorkers(uint64(o.clients)),
			vegeta.Connections(o.clients), vegeta.MaxConnections(o.clients), vegeta.KeepAlive(true), vegeta.MaxBody(0),
			vegeta.Redirects(vegeta.NoFollow), vegeta.Timeout(time.Minute))
	}
	for range attacker().Attack(targeter, rate, o.warmup, "warm-up") {
	}
	timings.reset()
	load0, _ := os.ReadFile("/proc/loadavg")
	client := map[string][]time.Duration{}
	var failures []string
	began := time.Now()
	for r := range attacker().Attack(targeter, rate, o.duration, "console") {
		name := pageOf(r.URL)
		client[name] = append(client[name], r.Latency)
		if r.Code != http.StatusOK {
			failures = append(failures, fmt.Sprintf("%s: %d %s", r.URL, r.Code, r.Error))
		}
	}
	elapsed := time.Since(began)
	load1, _ := os.ReadFile("/proc/loadavg")
	server := timings.take()
	var total int
	for _, l := range client {
		total += len(l)
	}
	pace := "back to back"
	if o.think > 0 {
		pace = "one view every " + o.think.String() + " each"
	}
	fmt.Printf("%d operators (%s), %s: %d page views, %.0f per second; load average before %s, after %s\n\n",
		o.clients, pace, o.duration, total, float64(total)/elapsed.Seconds(), fields3(load0), fields3(load1))
	fmt.Println("| page | views | server p50 ms | server p95 ms | server p99 ms | client p95 ms | p95 ≤ 50 ms |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---|")
	for _, p := range pages {
		s := server[p.name]
		met := "yes"
		if pct(s, 95) > 50*time.Millisecond {
			met = "NO"
		}
		fmt.Printf("| %s | %d | %s | %s | %s | %s | %s |\n", p.name, len(s), ms(pct(s, 50)), ms(pct(s, 95)), ms(pct(s, 99)),
			ms(pct(client[p.name], 95)), met)
	}
	if len(failures) > 0 {
		fmt.Printf("\n%d page views did not answer 200, the first: %s\n", len(failures), failures[0])
		return fmt.Errorf("%d page views failed", len(failures))
	}
	return nil
}

// settle analyses (and with fresh data vacuums) the tables the pages read, so that plans and
// index-only scans are those of a database autovacuum keeps, and prints the data's size.
func settle(ctx context.Context, st *store.Store, pid int64, filled bool) error {
	if filled {
		if _, err := st.DB().ExecContext(ctx, `VACUUM ANALYZE`); err != nil {
			return err
		}
	}
	var counts struct {
		Cardholders int    `db:"cardholders"`
		Movements   int    `db:"movements"`
		Requests    int    `db:"requests"`
		Size        string `db:"size"`
		Version     string `db:"version"`
	}
	err := st.DB().GetContext(ctx, &counts, `SELECT
		(SELECT count(*) FROM cardholders WHERE partner_id = $1) AS cardholders,
		(SELECT max(id) FROM movements) AS movements,
		(SELECT count(*) FROM client_requests WHERE partner_id = $1) AS requests,
		pg_size_pretty(pg_database_size(current_database())) AS size, version() AS version`, pid)
	if err != nil {
		return err
	}
	fmt.Printf("%s; %d CPUs seen by Go\npartner %d: %d cardholders with a card each, about %d movements (largest id), %d client requests; database %s\n",
		counts.Version, runtime.NumCPU(), pid, counts.Cardholders, counts.Movements, counts.Requests, counts.Size)
	return nil
}

// serverTimings records, per page, the time from a request's arrival to the end of its answer.
type serverTimings struct {
	mu sync.Mutex
	by map[string][]time.Duration
}

func (t *serverTimings) reset() {
	t.mu.Lock()
	t.by = map[string][]time.Duration{}
	t.mu.Unlock()
}

func (t *serverTimings) take() map[string][]time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.by
}

// serve starts the real router on a loopback port, as cardconsole serve does (garbage collector
// settings, a JSON request log, here to the null device), timing each request.
func serve(st *store.Store, pageOf func(string) string) (*http.Server, string, *serverTimings, error) {
	web.TuneGC()
	app, e := web.New(web.Options{Store: st, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), BaseURL: "http://127.0.0.1",
		SessionKey: []byte("bench-session-key-bench-session-key"), SessionTTL: time.Hour,
		TokenTTL: store.TokenTTL{App: time.Hour, Access: time.Hour, Refresh: time.Hour}})
	handlers.Routes(e, app)
	timings := &serverTimings{by: map[string][]time.Duration{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", nil, err
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t0 := time.Now()
		e.ServeHTTP(w, r)
		d := time.Since(t0)
		name := pageOf(r.URL.String())
		timings.mu.Lock()
		timings.by[name] = append(timings.by[name], d)
		timings.mu.Unlock()
	})}
	go func() { _ = srv.Serve(ln) }()
	return srv, "http://" + ln.Addr().String(), timings, nil
}

// signIn makes n viewer operators of the partner and signs each in through the login form, as a
// browser does; it returns their session cookies.
func signIn(ctx context.Context, st *store.Store, base string, pid int64, n int) ([]string, error) {
	sys := store.SystemActor("bench")
	var sessions []string
	for i := range n {
		email := fmt.Sprintf("operator%d@bench.test", i+1)
		op, err := st.OperatorByEmail(ctx, email)
		id := op.ID
		if err != nil {
			created, cerr := st.CreateOperator(ctx, sys, email, password, false)
			if cerr != nil {
				return nil, cerr
			}
			id = created.ID
		}
		if err := st.Grant(ctx, sys, id, pid, []string{"viewer"}, nil); err != nil {
			return nil, err
		}
		cookie, err := login(base, email)
		if err != nil {
			return nil, err
		}
		sessions = append(sessions, cookie)
	}
	return sessions, nil
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func login(base, email string) (string, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(base + "/login")
	if err != nil {
		return "", err
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfField.FindSubmatch(page)
	if m == nil {
		return "", fmt.Errorf("the login page has no CSRF field")
	}
	res, err = c.PostForm(base+"/login", url.Values{"email": {email}, "password": {password}, "_csrf": {string(m[1])}})
	if err != nil {
		return "", err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return "", fmt.Errorf("login of %s answered %d", email, res.StatusCode)
	}
	u, _ := url.Parse(base)
	var parts []string
	for _, ck := range jar.Cookies(u) {
		parts = append(parts, ck.Name+"="+ck.Value)
	}
	return strings.Join(parts, "; "), nil
}

func pct(xs []time.Duration, p int) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := (p*len(s)+99)/100 - 1
	return s[max(0, min(i, len(s)-1))]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }

func fields3(loadavg []byte) string {
	f := strings.Fields(string(loadavg))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
