package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// fundsLoad sends ADD_FUNDS to random cards of the payout partner through the issuer funds API
// (POST /rest/cards/{cardId}/funds, a fresh reference each) from o.clients keep-alive clients for
// o.duration, and returns the rate of 200 answers: each is, like a payout row, a card load from the
// partner's balance.
func fundsLoad(c *client, w world, o options) (float64, error) {
	transport := &http.Transport{MaxIdleConnsPerHost: o.clients, MaxConnsPerHost: o.clients, DisableCompression: true}
	hc := &http.Client{Transport: transport, Timeout: time.Minute}
	defer transport.CloseIdleConnections()
	var ok, failed atomic.Int64
	var firstErr atomic.Value
	deadline := time.Now().Add(o.duration)
	start := time.Now()
	var wg sync.WaitGroup
	for n := range o.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(n), 7))
			for i := 0; time.Now().Before(deadline); i++ {
				card := w.payCards[rng.IntN(len(w.payCards))]
				b, _ := json.Marshal(map[string]string{"operation": "ADD_FUNDS", "amount": fmt.Sprintf("%d.%02d", 10+i%90, i%100),
					"reference": fmt.Sprintf("api-%d-%d", n, i), "channel": "BENCH", "description": "bench"})
				req, _ := http.NewRequest(http.MethodPost, c.base+"/rest/cards/"+strconv.FormatInt(card, 10)+"/funds", bytes.NewReader(b))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+c.appToken)
				req.Header.Set("x-application-id", w.app.ApplicationID)
				res, err := hc.Do(req)
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				raw, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode == http.StatusOK {
					ok.Add(1)
				} else {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprintf("%d %s", res.StatusCode, raw))
				}
			}
		}()
	}
	wg.Wait()
	if failed.Load() > 0 {
		return 0, fmt.Errorf("issuer funds API: %d requests failed, the first: %v", failed.Load(), firstErr.Load())
	}
	return float64(ok.Load()) / time.Since(start).Seconds(), nil
}
