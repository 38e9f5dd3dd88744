// Command pgdev starts (or reuses) private PostgreSQL clusters under .data/ for development and
// tests, so that make run, make test and make cluster need only the PostgreSQL server package: no
// running server, no particular authentication settings, root or not.
//
//	pgdev url [DBNAME]        start the development cluster if needed, create DBNAME, print its URL
//	pgdev stop                stop the development cluster
//	pgdev replicated [DBNAME] start the durable primary and its streaming replica under .data/cluster/
//	                          (ports CLUSTER_PG_PORT, default 54339, and CLUSTER_REPLICA_PORT, default
//	                          54340), create DBNAME, print the primary's URL then the replica's
//	pgdev replicated-stop     stop the replica, then the primary
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"cardconsole/internal/pgcluster"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "pgdev:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: pgdev url [DBNAME] | pgdev stop | pgdev replicated [DBNAME] | pgdev replicated-stop")
	}
	root, err := filepath.Abs(".data")
	if err != nil {
		return err
	}
	name := "cardconsole"
	if len(args) > 1 {
		name = args[1]
	}
	switch args[0] {
	case "url":
		cl, err := devCluster(root)
		if err != nil {
			return err
		}
		if err := startDev(cl, filepath.Join(root, "port")); err != nil {
			return err
		}
		if err := cl.CreateDatabase(name); err != nil {
			return err
		}
		fmt.Println(cl.URL(name))
		return nil
	case "stop":
		cl, err := devCluster(root)
		if err != nil {
			return err
		}
		return cl.Stop()
	case "replicated":
		primary, replica, err := replicated(root)
		if err != nil {
			return err
		}
		if err := primary.Init(); err != nil {
			return err
		}
		if err := primary.Start(); err != nil {
			return err
		}
		if err := replica.ReplicaOf(primary); err != nil {
			return err
		}
		if err := replica.Start(); err != nil {
			return err
		}
		if err := primary.CreateDatabase(name); err != nil {
			return err
		}
		fmt.Println(primary.URL(name))
		fmt.Println(replica.URL(name))
		return nil
	case "replicated-stop":
		primary, replica, err := replicated(root)
		if err != nil {
			return err
		}
		if err := replica.Stop(); err != nil {
			return err
		}
		return primary.Stop()
	}
	return fmt.Errorf("unknown command %q", args[0])
}

// devCluster is the development cluster: .data/pg, fast and not durable (fsync off), on
// PGDEV_PORT, or the port it last started on, or 54329.
func devCluster(root string) (*pgcluster.Cluster, error) {
	port := os.Getenv("PGDEV_PORT")
	if port == "" {
		port = "54329"
		if b, err := os.ReadFile(filepath.Join(root, "port")); err == nil && strings.TrimSpace(string(b)) != "" {
			port = strings.TrimSpace(string(b))
		}
	}
	cl, err := pgcluster.New(filepath.Join(root, "pg"), filepath.Join(root, "run"), port)
	if err != nil {
		return nil, err
	}
	cl.Settings = []string{"fsync=off", "synchronous_commit=off", "full_page_writes=off"}
	return cl, nil
}

// startDev starts the development cluster, on the next free port when another program (or another
// checkout's cluster) has its port, and remembers the port in portFile.
func startDev(cl *pgcluster.Cluster, portFile string) error {
	if err := cl.Init(); err != nil {
		return err
	}
	if !cl.Running() && pgcluster.PortBusy(cl.Port) {
		free, err := pgcluster.FreePort(cl.Port)
		if err != nil {
			return fmt.Errorf("%w; set PGDEV_PORT", err)
		}
		cl.Port = free
	}
	if err := os.WriteFile(portFile, []byte(cl.Port+"\n"), 0o644); err != nil {
		return err
	}
	return cl.Start()
}

// replicated is the production-like pair of make cluster: PostgreSQL's default (durable) settings.
func replicated(root string) (primary, replica *pgcluster.Cluster, err error) {
	dir := filepath.Join(root, "cluster")
	if primary, err = pgcluster.New(filepath.Join(dir, "primary"), filepath.Join(dir, "run-primary"), envOr("CLUSTER_PG_PORT", "54339")); err != nil {
		return nil, nil, err
	}
	replica, err = pgcluster.New(filepath.Join(dir, "replica"), filepath.Join(dir, "run-replica"), envOr("CLUSTER_REPLICA_PORT", "54340"))
	return primary, replica, err
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
