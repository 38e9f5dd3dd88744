package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"cardconsole/store"
)

// loadConfig is how the HTTP load is sent.
type loadConfig struct {
	base     string
	token    string
	appID    string
	clients  int
	duration time.Duration
}

// result is one phase's outcome.
type result struct {
	requests int
	failures int
	statuses map[int]int
	rate     float64
	p50, p99 time.Duration
}

var runSeq int

// run sends ADD_FUNDS and WITHDRAW_FUNDS (half each, random amounts, a fresh reference each) to
// random cards among cardIDs from clients goroutines for the phase's duration, each client with its
// own keep-alive connection.
func (l loadConfig) run(cardIDs []int64) result {
	runSeq++
	transport := &http.Transport{MaxIdleConnsPerHost: l.clients, MaxConnsPerHost: l.clients, DisableCompression: true}
	client := &http.Client{Transport: transport, Timeout: time.Minute}
	defer transport.CloseIdleConnections()
	type clientResult struct {
		latencies []time.Duration
		statuses  map[int]int
	}
	results := make([]clientResult, l.clients)
	start := time.Now()
	deadline := start.Add(l.duration)
	var wg sync.WaitGroup
	for c := range l.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(c), uint64(runSeq)))
			r := clientResult{statuses: map[int]int{}}
			body := map[string]any{"channel": "BENCH", "description": "bench"}
			for n := 0; time.Now().Before(deadline); n++ {
				card := cardIDs[rng.IntN(len(cardIDs))]
				body["operation"] = "ADD_FUNDS"
				if rng.IntN(2) == 1 {
					body["operation"] = "WITHDRAW_FUNDS"
				}
				body["amount"] = fmt.Sprintf("%d.%02d", rng.IntN(100), rng.IntN(100)+1)
				body["reference"] = fmt.Sprintf("bench-%d-%d-%d", runSeq, c, n)
				b, _ := json.Marshal(body)
				req, _ := http.NewRequest(http.MethodPost, l.base+"/rest/cards/"+strconv.FormatInt(card, 10)+"/funds", bytes.NewReader(b))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+l.token)
				req.Header.Set("x-application-id", l.appID)
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
	out := result{statuses: map[int]int{}}
	var all []time.Duration
	for _, r := range results {
		all = append(all, r.latencies...)
		for s, n := range r.statuses {
			out.statuses[s] += n
			out.requests += n
			if s != http.StatusOK {
				out.failures += n
			}
		}
	}
	slices.Sort(all)
	if len(all) > 0 {
		out.p50 = all[len(all)*50/100]
		out.p99 = all[len(all)*99/100]
	}
	out.rate = float64(out.statuses[http.StatusOK]) / elapsed.Seconds()
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
