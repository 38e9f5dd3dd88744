// Command bulk is the benchmark of bulk files (make bench-bulk, docs/performance-bulk.md).
//
// In one run on one machine it measures:
//
//  1. a cardholder CSV of 100,000 rows and about 16 MB uploaded through the real route of the real
//     server (bin/cardconsole serve, run as a child process) and processed by its background
//     worker, from the upload's first byte to the batch's COMPLETED status, in rows per second,
//     against psql's \copy of the same rows into the same table (cardholders) just before and just
//     after it in the same run (the mean of the two, as the machine's load moves);
//  2. the server's peak resident memory (VmHWM of the child process) after that file;
//  3. a payout file of 10,000 rows applied after its approval, in rows per second, against the
//     issuer funds API's rate (ADD_FUNDS on the same partner's cards, 16 clients) in the same run.
//
// It uses its own database, dropped and created again at the start and dropped at the end (unless
// -keep), in the cluster named by -admin-url (BENCH_DATABASE_URL) or, by default, in a private
// cluster with PostgreSQL's default (durable) settings that it starts under -data and stops at the end.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"cardconsole/internal/benchdata"
	"cardconsole/store"
)

type options struct {
	adminURL   string
	dataDir    string
	dbName     string
	rows       int
	fileBytes  int
	payouts    int
	clients    int
	duration   time.Duration
	keep       bool
	workDir    string
	serverLogs string
}

func main() {
	var o options
	flag.StringVar(&o.adminURL, "admin-url", os.Getenv("BENCH_DATABASE_URL"),
		"a database URL of the cluster, with a role that may create databases; none starts a private durable cluster under -data")
	flag.StringVar(&o.dataDir, "data", "bench/bulk/.data", "where the private cluster lives when -admin-url is not given (kept between runs)")
	flag.StringVar(&o.dbName, "db", "cardconsole_bench_bulk", "the benchmark's own database (dropped and created again, dropped at the end)")
	flag.IntVar(&o.rows, "rows", 100_000, "rows of the cardholder file")
	flag.IntVar(&o.fileBytes, "bytes", 16_500_000, "size the cardholder file is padded to (its addresses grow), at most 16 MiB")
	flag.IntVar(&o.payouts, "payouts", 10_000, "rows of the payout file (and cards of the payout partner)")
	flag.IntVar(&o.clients, "clients", 16, "concurrent clients of the issuer funds API phase")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "how long the issuer funds API phase runs")
	flag.BoolVar(&o.keep, "keep", false, "keep the benchmark database at the end")
	flag.StringVar(&o.serverLogs, "server-log", os.DevNull, "where the server's log goes")
	flag.Parse()
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "bench-bulk:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	dir, err := os.MkdirTemp("", "bench-bulk-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	o.workDir = dir
	if o.adminURL == "" {
		cl, err := benchdata.DurableCluster(o.dataDir, "54359")
		if err != nil {
			return err
		}
		defer cl.Stop()
		o.adminURL = cl.URL("postgres")
	}
	dbURL, err := benchdata.RecreateDatabase(ctx, o.adminURL, o.dbName)
	if err != nil {
		return err
	}
	if !o.keep {
		defer func() {
			if err := benchdata.DropDatabase(context.Background(), o.adminURL, o.dbName); err != nil {
				fmt.Fprintln(os.Stderr, "bench-bulk:", err)
			}
		}()
	}
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer st.Close()
	keys, err := store.ParseOTPKeys(benchOTPKey)
	if err != nil {
		return err
	}
	st.UseOTPKeys(keys) // the operators' secrets are sealed with the key the server gets
	if err := printSettings(ctx, st.DB().DB); err != nil {
		return err
	}
	if err := store.Migrate(ctx, st.DB().DB); err != nil {
		return err
	}
	w, err := seed(ctx, st, o)
	if err != nil {
		return err
	}
	srv, err := startServer(ctx, o, dbURL)
	if err != nil {
		return err
	}
	defer srv.stop()
	fmt.Printf("server: bin/cardconsole serve as child process %d on %s\n\n", srv.cmd.Process.Pid, srv.base)

	holders := filepath.Join(dir, "cardholders.csv")
	size, err := writeCardholderFile(holders, o.rows, o.fileBytes)
	if err != nil {
		return err
	}
	fmt.Printf("cardholder file: %d rows, %.1f MB (%d bytes)\n", o.rows, float64(size)/1e6, size)

	copyBefore, err := psqlCopy(ctx, dbURL, holders, w.copyPartners[0], o)
	if err != nil {
		return err
	}
	fmt.Printf("psql \\copy into cardholders, before: %8.0f rows/s   (load average %s)\n", copyBefore, benchdata.LoadAverage())

	c := newClient(srv.base)
	maker, checker, err := w.signIn(c)
	if err != nil {
		return err
	}
	cpu0, err := srv.cpuTime()
	if err != nil {
		return err
	}
	up, err := uploadAndWait(c, maker, w.stockPartner, "/cardholders/upload", "users", holders, store.BatchCompleted)
	if err != nil {
		return err
	}
	cpu1, err := srv.cpuTime()
	if err != nil {
		return err
	}
	if up.batch.Succeeded != o.rows {
		return fmt.Errorf("cardholder batch %d: %d rows succeeded of %d (%d failed)", up.batch.ID, up.batch.Succeeded, o.rows, up.batch.Failed)
	}
	hwm, err := srv.peakRSS()
	if err != nil {
		return err
	}
	bulkRate := float64(o.rows) / up.total.Seconds()
	fmt.Printf("bulk upload, route to COMPLETED:     %8.0f rows/s   upload answered in %s, read in %s, applied in %s   (load average %s)\n",
		bulkRate, up.answered.Round(time.Millisecond), up.read.Round(time.Millisecond), up.applied.Round(time.Millisecond), benchdata.LoadAverage())
	copyAfter, err := psqlCopy(ctx, dbURL, holders, w.copyPartners[1], o)
	if err != nil {
		return err
	}
	copyRate := (copyBefore + copyAfter) / 2
	fmt.Printf("psql \\copy into cardholders, after:  %8.0f rows/s   (load average %s)\n", copyAfter, benchdata.LoadAverage())
	fmt.Printf("bulk / \\copy: %.2f (target >= 0.25) against the mean of both copies (%.0f rows/s); %.2f against the one before, %.2f against the one after\n",
		bulkRate/copyRate, copyRate, bulkRate/copyBefore, bulkRate/copyAfter)
	fmt.Printf("server peak RSS (VmHWM) after the file: %.1f MB (target <= 128 MB); server CPU time for the file %s (%.0f µs a row)\n\n",
		float64(hwm)/(1<<20), cpu1-cpu0, float64((cpu1-cpu0).Microseconds())/float64(o.rows))

	fundsRate, err := fundsLoad(c, w, o)
	if err != nil {
		return err
	}
	fmt.Printf("issuer funds API, ADD_FUNDS, %d clients: %8.0f req/s   (load average %s)\n", o.clients, fundsRate, benchdata.LoadAverage())

	payouts := filepath.Join(dir, "payout.csv")
	if err := writePayoutFile(payouts, w.payCards); err != nil {
		return err
	}
	pay, err := payout(c, maker, checker, w.payPartner, payouts)
	if err != nil {
		return err
	}
	payRate := float64(pay.batch.Succeeded) / pay.applied.Seconds()
	fmt.Printf("payout file, approval to COMPLETED:  %8.0f rows/s   ratio %.2f (target >= 0.5); %d rows credited in %s   (load average %s)\n",
		payRate, payRate/fundsRate, pay.batch.Succeeded, pay.applied.Round(time.Millisecond), benchdata.LoadAverage())
	if pay.batch.Succeeded != len(w.payCards) {
		return fmt.Errorf("payout batch %d: %d rows succeeded of %d", pay.batch.ID, pay.batch.Succeeded, len(w.payCards))
	}
	if hwm, err = srv.peakRSS(); err != nil {
		return err
	}
	fmt.Printf("server peak RSS (VmHWM) at the end: %.1f MB\n", float64(hwm)/(1<<20))
	return checkLedger(ctx, st)
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
