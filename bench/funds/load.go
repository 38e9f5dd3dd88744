package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"time"

	"cardconsole/store"
)

// loadConfig is how the HTTP load is sent.
type loadConfig struct {
	Base     string
	Token    string
	AppID    string
	Clients  int
	Duration time.Duration
	Seq      int     // the phase's number: references stay unique across phases
	CardIDs  []int64 // with a child: the cards to send to
}

// result is one phase's outcome, and the CPU time of the process that sent the load.
type result struct {
	Requests  int
	Failures  int
	Statuses  map[int]int
	Rate      float64
	P50, P99  time.Duration
	ClientCPU time.Duration
}

var runSeq int

// run sends the phase's load from a child process (this program with -load-child), so that the
// load clients' CPU time is measured apart from the app's: on this machine they share two cores
// with PostgreSQL, and pgbench's own client is measured the same way.
func (l loadConfig) run(cardIDs []int64) (result, error) {
	runSeq++
	l.Seq, l.CardIDs = runSeq, cardIDs
	self, err := os.Executable()
	if err != nil {
		return result{}, err
	}
	in, _ := json.Marshal(l)
	cmd := exec.Command(self, "-load-child")
	cmd.Stdin, cmd.Stderr = bytes.NewReader(in), os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return result{}, fmt.Errorf("load client: %w", err)
	}
	var r result
	if err := json.Unmarshal(out, &r); err != nil {
		return result{}, fmt.Errorf("load client answered %q: %w", out, err)
	}
	r.ClientCPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return r, nil
}

// loadChild is the child's side of run: the load described on standard input, the result as JSON
// on standard output.
func loadChild() error {
	var l loadConfig
	if err := json.NewDecoder(os.Stdin).Decode(&l); err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(l.send())
}

// send sends ADD_FUNDS and WITHDRAW_FUNDS (half each, random amounts, a fresh reference each) to
// random cards among cardIDs from clients goroutines for the phase's duration, each client with its
// own keep-alive connection.
func (l loadConfig) send() result {
	cardIDs := l.CardIDs
	transport := &http.Transport{MaxIdleConnsPerHost: l.Clients, MaxConnsPerHost: l.Clients, DisableCompression: true}
	client := &http.Client{Transport: transport, Timeout: time.Minute}
	defer transport.CloseIdleConnections()
	type clientResult struct {
		latencies []time.Duration
		statuses  map[int]int
	}
	results := make([]clientResult, l.Clients)
	start := time.Now()
	deadline := start.Add(l.Duration)
	var wg sync.WaitGroup
	for c := range l.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(c), uint64(l.Seq)))
			r := clientResult{statuses: map[int]int{}}
			body := map[string]any{"channel": "BENCH", "description": "bench"}
			for n := 0; time.Now().Before(deadline); n++ {
				card := cardIDs[rng.IntN(len(cardIDs))]
				body["operation"] = "ADD_FUNDS"
				if rng.IntN(2) == 1 {
					body["operation"] = "WITHDRAW_FUNDS"
				}
				body["amount"] = fmt.Sprintf("%d.%02d", rng.IntN(100), rng.IntN(100)+1)
				body["reference"] = fmt.Sprintf("bench-%d-%d-%d", l.Seq, c, n)
				b, _ := json.Marshal(body)
				req, _ := http.NewRequest(http.MethodPost, l.Base+"/rest/cards/"+strconv.FormatInt(card, 10)+"/funds", bytes.NewReader(b))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+l.Token)
				req.Header.Set("x-application-id", l.AppID)
				t0 := time.Now()
				res, err := client.Do(req)
				if err != nil {
					r.statuses[0]++
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				r.latencies = append(r.latencies, time.Since(t0))
				r.statuses[res.StatusCode]++
			}
			results[c] = r
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	out := result{Statuses: map[int]int{}}
	var all []time.Duration
	for _, r := range results {
		all = append(all, r.latencies...)
		for s, n := range r.statuses {
			out.Statuses[s] += n
			out.Requests += n
			if s != http.StatusOK {
				out.Failures += n
			}
		}
	}
	slices.Sort(all)
	if len(all) > 0 {
		out.P50 = all[len(all)*50/100]
		out.P99 = all[len(all)*99/100]
	}
	out.Rate = float64(out.Statuses[http.StatusOK]) / elapsed.Seconds()
	return out
}

// appToken logs the application in through the API, as an issuer does.
func appToken(base string, creds store.NewApplication) (string, error) {
	b, _ := json.Marshal(map[string]string{"merchant": creds.Merchant, "secret": creds.Secret})
	res, err := http.Post(base+"/cms/rest/app/auth/login", "application/json", bytes.NewReader(b))
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
		return "", fmt.Errorf("application login answered %d", res.StatusCode)
	}
	return env.Data.AccessToken, nil
}
