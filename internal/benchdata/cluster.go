package benchdata

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/lib/pq"

	"cardconsole/internal/pgcluster"
)

// DurableCluster starts (creating it on the first run) a benchmark's private PostgreSQL cluster
// under dir with PostgreSQL's default settings, durable as production runs them: fsync,
// synchronous_commit and full_page_writes on. It serves on the first free port after from.
func DurableCluster(dir, from string) (*pgcluster.Cluster, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	port, err := pgcluster.FreePort(from)
	if err != nil {
		return nil, err
	}
	cl, err := pgcluster.New(filepath.Join(abs, "pg"), filepath.Join(abs, "run"), port)
	if err != nil {
		return nil, err
	}
	if err := cl.Init(); err != nil {
		return nil, err
	}
	fmt.Printf("private durable cluster %s on port %s\n", cl.Dir, port)
	return cl, cl.Start()
}

// RecreateDatabase drops and creates the benchmark database name in the cluster of adminURL and
// returns its URL.
func RecreateDatabase(ctx context.Context, adminURL, name string) (string, error) {
	if err := DropDatabase(ctx, adminURL, name); err != nil {
		return "", err
	}
	db, err := sql.Open("postgres", adminURL)
	if err != nil {
		return "", err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(name)); err != nil {
		return "", fmt.Errorf("create %s: %w", name, err)
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

// DropDatabase drops the benchmark database name, if it exists, closing its connections.
func DropDatabase(ctx context.Context, adminURL, name string) error {
	db, err := sql.Open("postgres", adminURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `DROP DATABASE IF EXISTS `+pq.QuoteIdentifier(name)+` WITH (FORCE)`); err != nil {
		return fmt.Errorf("drop %s: %w", name, err)
	}
	return nil
}

// LoadAverage is the machine's 1, 5 and 15 minute load averages, as uptime prints them.
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if err != nil || len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
