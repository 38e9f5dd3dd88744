// Command console is the load benchmark of the console (make bench-console,
// docs/performance-console.md): operators browsing at once, with a load generator (vegeta), against
// a partner with a million cardholders and ten million movements.
//
// It fills its own database (kept between runs: a second run finds the data and skips that), then
// serves the real router in-process on a loopback port, signs -clients operators in through the
// login form, and sends their page views for -duration, -clients views every -think (0: back to
// back, from as many concurrent workers): the dashboard, the partner page, cardholder searches, card pages with their movements
// (ordinary cards and the busiest ones) and the client requests queue, picked at random. It prints
// p50/p95/p99 per page, both as the server measured it (from the request's arrival to the end of
// its answer) and as the load generator saw it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"
)

type options struct {
	dbURL       string
	cardholders int
	movements   int
	requests    int
	clients     int
	duration    time.Duration
	warmup      time.Duration
	think       time.Duration
	skip        string
}

func main() {
	var o options
	flag.StringVar(&o.dbURL, "db", os.Getenv("BENCH_DATABASE_URL"), "URL of the benchmark's own database (filled once, kept between runs)")
	flag.IntVar(&o.cardholders, "cardholders", 1_000_000, "cardholders of the benchmark partner, each with an ACTIVE card")
	flag.IntVar(&o.movements, "movements", 10_000_000, "movements of the partner's ledger (two per load: the card's and the partner's)")
	flag.IntVar(&o.requests, "requests", 100_000, "pending client requests of the partner")
	flag.IntVar(&o.clients, "clients", 32, "operators browsing at once (concurrent workers)")
	flag.DurationVar(&o.duration, "duration", 30*time.Second, "how long the measured load runs")
	flag.DurationVar(&o.warmup, "warmup", 5*time.Second, "how long the same load runs, unmeasured, before it")
	flag.DurationVar(&o.think, "think", time.Second, "each operator's time between page views, on average (0: back to back, the most the server can take)")
	flag.StringVar(&o.skip, "skip", "", "pages to leave out, comma-separated names as printed (to see the others without one that dominates)")
	flag.Parse()
	if o.dbURL == "" {
		fmt.Fprintln(os.Stderr, "usage: console -db URL [-cardholders 1000000] [-movements 10000000] [-clients 32] [-duration 30s]")
		os.Exit(2)
	}
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "bench-console:", err)
		os.Exit(1)
	}
}
