// Command events is the benchmark of live events across instances (make bench-events,
// docs/performance-events.md).
//
// It starts two real instances of this checkout's cardconsole on one database (its own, dropped and
// created again), opens -clients event streams on instance B (the partner's top-up progress
// stream, as an operator's console follows it), and then, one after the other, creates -changes
// top-ups on instance A through the CMS API. Each stream records when it reads each change's frame.
// The latency of a frame is measured from the moment the request that made the change was sent
// to A (its commit lies between that and A's answer): an upper bound of "from the commit". The
// lower bound, from A's answer, is printed beside it. It prints p50/p95/p99 of both, frames
// missed, and the machine's load.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lib/pq"

	"cardconsole/internal/cluster"
	"cardconsole/store"
	"cardconsole/views/pdf"
)

type options struct {
	adminURL string
	dbName   string
	clients  int
	changes  int
	interval time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.adminURL, "admin-url", envOr("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:54329/postgres?sslmode=disable"),
		"a database URL of the cluster, with a role that may create databases")
	flag.StringVar(&o.dbName, "db", "cardconsole_bench_events", "the benchmark's own database (dropped and created again)")
	flag.IntVar(&o.clients, "clients", 200, "event streams open on instance B")
	flag.IntVar(&o.changes, "changes", 300, "changes made on instance A, one after the other")
	flag.DurationVar(&o.interval, "interval", 50*time.Millisecond, "pause between two changes")
	flag.Parse()
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "bench-events:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	dbURL, err := recreateDatabase(ctx, o.adminURL, o.dbName)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "bench-events-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "cardconsole")
	if out, err := exec.Command("go", "build", "-o", bin, "cardconsole/cmd/cardconsole").CombinedOutput(); err != nil {
		return fmt.Errorf("build: %v\n%s", err, out)
	}
	ports, err := cluster.FreePorts(2)
	if err != nil {
		return err
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	set, err := cluster.Up(cluster.Options{Dir: dir, Binary: bin, DatabaseURL: dbURL, InstancePorts: ports,
		Env: []string{"SESSION_KEY=" + hex.EncodeToString(key), "LOG_LEVEL=warn"}})
	if err != nil {
		return err
	}
	defer set.Down()
	a, b := set.InstanceURL(0), set.InstanceURL(1)

	w, err := seed(ctx, dbURL, a)
	if err != nil {
		return err
	}

	// The streams, all on B.
	var (
		mu      sync.Mutex
		arrived = map[int64][]time.Time{} // process request id → when each stream read its frame
	)
	streamCtx, stopStreams := context.WithCancel(ctx)
	defer stopStreams()
	ready := make(chan error, o.clients)
	var wg sync.WaitGroup
	for i := 0; i < o.clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			listen(streamCtx, b+"/cms/rest/app/partners/"+itoa(w.partner)+"/process-request/progress", w.watcher, ready, func(id int64, at time.Time) {
				mu.Lock()
				arrived[id] = append(arrived[id], at)
				mu.Unlock()
			})
		}()
	}
	for i := 0; i < o.clients; i++ {
		if err := <-ready; err != nil {
			return err
		}
	}
	fmt.Printf("bench-events: %d streams open on instance B; making %d changes on instance A, %s apart\n", o.clients, o.changes, o.interval)

	receipt, err := pdf.Note("Deposit slip")
	if err != nil {
		return err
	}
	sent := map[int64]time.Time{}
	answered := map[int64]time.Time{}
	for i := 0; i < o.changes; i++ {
		t0 := time.Now()
		id, err := createTopUp(a, w.partner, w.maker, receipt, strconv.Itoa(i+1))
		if err != nil {
			return err
		}
		sent[id], answered[id] = t0, time.Now()
		time.Sleep(o.interval)
	}
	time.Sleep(2 * time.Second) // the last frames
	stopStreams()
	wg.Wait()

	var fromSend, fromAnswer []time.Duration
	missed := 0
	for id, t0 := range sent {
		times := arrived[id]
		missed += o.clients - len(times)
		for _, at := range times {
			fromSend = append(fromSend, at.Sub(t0))
			fromAnswer = append(fromAnswer, at.Sub(answered[id]))
		}
	}
	fmt.Printf("frames read: %d of %d (%d missed)\n", len(fromSend), o.changes*o.clients, missed)
	fmt.Printf("from the request to A (commit included): %s\n", percentiles(fromSend))
	fmt.Printf("from A's answer (commit done):           %s\n", percentiles(fromAnswer))
	if out, err := exec.Command("uptime").Output(); err == nil {
		fmt.Printf("load: %s", out)
	}
	return nil
}

// world is what the benchmark seeds: a partner, a maker who creates top-ups and a watcher whose
// streams follow them, both signed in through the API.
type world struct {
	partner        int64
	maker, watcher map[string]string // API headers
}

func seed(ctx context.Context, dbURL, base string) (world, error) {
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		return world{}, err
	}
	defer st.Close()
	sys := store.SystemActor("bench")
	p, err := st.CreatePartner(ctx, sys, "Bench Partner", "GTQ")
	if err != nil {
		return world{}, err
	}
	app, err := st.CreateApplication(ctx, sys, "bench app", []int64{p.ID})
	if err != nil {
		return world{}, err
	}
	// The benchmark measures live events, not sign-in: its operators sign in with a password alone.
	if err := st.SetSecondFactorPolicy(ctx, sys, p.ID, "OFF"); err != nil {
		return world{}, err
	}
	w := world{partner: p.ID}
	const password = "lantern-quetzal-orbit-bench"
	for _, who := range []struct {
		email, role string
		dst         *map[string]string
	}{{"maker@bench.test", "maker", &w.maker}, {"watcher@bench.test", "checker", &w.watcher}} {
		op, err := st.CreateOperator(ctx, sys, who.email, password, false)
		if err != nil {
			return world{}, err
		}
		if err := st.Grant(ctx, sys, op.ID, p.ID, []string{who.role}, nil); err != nil {
			return world{}, err
		}
		if *who.dst, err = apiLogin(base, app, who.email, password); err != nil {
			return world{}, err
		}
	}
	return w, nil
}

// apiLogin signs the application, then the operator, in through the API and returns the CMS API
// headers.
func apiLogin(base string, app store.NewApplication, email, password string) (map[string]string, error) {
	appTok, err := postToken(base+"/cms/rest/app/auth/login", nil, map[string]string{"merchant": app.Merchant, "secret": app.Secret})
	if err != nil {
		return nil, err
	}
	h := map[string]string{"Authorization": "Bearer " + appTok}
	userTok, err := postToken(base+"/cms/rest/app/users/login", h, map[string]string{"email": email, "password": password})
	if err != nil {
		return nil, err
	}
	h["x-user-token"] = "Bearer " + userTok
	return h, nil
}

func postToken(u string, headers map[string]string, body any) (string, error) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, u, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var env struct {
		Data struct {
			AccessToken string `json:"accessToken"`
		} `json:"data"`
	}
	if err := json.NewDecoder(res.Body).Decode(&env); err != nil || env.Data.AccessToken == "" {
		return "", fmt.Errorf("%s answered %d", u, res.StatusCode)
	}
	return env.Data.AccessToken, nil
}

// createTopUp creates a top-up of amount with the PDF receipt and returns its id.
func createTopUp(base string, partner int64, headers map[string]string, receipt []byte, amount string) (int64, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	part, _ := mw.CreateFormFile("evidence", "receipt.pdf")
	_, _ = part.Write(receipt)
	_ = mw.WriteField("requestedAmount", amount)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, base+"/cms/rest/app/partners/"+itoa(partner)+"/process-request", &buf)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	var env struct {
		Data struct {
			ID int64 `json:"id"`
		} `json:"data"`
	}
	if err := json.NewDecoder(res.Body).Decode(&env); err != nil || res.StatusCode != http.StatusCreated {
		return 0, fmt.Errorf("top-up answered %d", res.StatusCode)
	}
	return env.Data.ID, nil
}

// streamClient has its own connection: 200 streams are 200 connections, as 200 browsers make.
var streamClient = &http.Client{Transport: &http.Transport{MaxConnsPerHost: 0, MaxIdleConnsPerHost: 1000}}

// listen reads the stream until ctx ends, calling seen with each created top-up's id and the time
// its frame was read. It reports on ready once the stream is open (or could not open).
func listen(ctx context.Context, u string, headers map[string]string, ready chan<- error, seen func(int64, time.Time)) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	req.Header.Set("Accept", "text/event-stream")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := streamClient.Do(req)
	if err != nil {
		ready <- err
		return
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		ready <- fmt.Errorf("stream answered %d", res.StatusCode)
		return
	}
	sc := bufio.NewScanner(res.Body)
	opened := false
	for sc.Scan() {
		line := sc.Text()
		if !opened && strings.HasPrefix(line, ": connected") {
			// Subscribed: the server sends this once it listens.
			opened = true
			ready <- nil
		}
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			continue
		}
		at := time.Now()
		var ev struct {
			Topic   string
			Payload struct{ ProcessRequestID int64 }
		}
		if json.Unmarshal([]byte(data), &ev) == nil && ev.Topic == "process-request.created" {
			seen(ev.Payload.ProcessRequestID, at)
		}
	}
	if !opened {
		ready <- fmt.Errorf("stream ended before it opened: %v", sc.Err())
	}
}

// percentiles formats p50, p95 and p99 (nearest rank).
func percentiles(ds []time.Duration) string {
	if len(ds) == 0 {
		return "no frames"
	}
	slices.Sort(ds)
	at := func(p float64) time.Duration {
		i := int(p*float64(len(ds))+0.5) - 1
		return ds[min(max(i, 0), len(ds)-1)]
	}
	r := func(d time.Duration) string { return d.Round(100 * time.Microsecond).String() }
	return fmt.Sprintf("p50 %s  p95 %s  p99 %s  max %s", r(at(0.50)), r(at(0.95)), r(at(0.99)), r(ds[len(ds)-1]))
}

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

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
