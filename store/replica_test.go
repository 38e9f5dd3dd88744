package store_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"cardconsole/store"
	"cardconsole/store/storetest"
)

// syncBuffer is a log destination that the store's goroutines may write to while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// auditPartners lists the partner-creation audit entries the store reads, by partner name.
func auditPartners(t *testing.T, st *store.Store) []string {
	t.Helper()
	entries, _, err := st.ListAudit(context.Background(), store.AuditFilter{PartnerIDs: []int64{1, 2, 3}, Action: "partner.create",
		Page: store.Page{Number: 1, Limit: 10}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, string(e.After))
	}
	return names
}

func TestStaleTolerantReadsGoToTheReplica(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.New(t)
	// A second database stands for the replica: it is not in recovery, so it never lags, and what
	// it holds differs from the primary, so the test sees where the audit log was read.
	otherURL := storetest.NewURL(t)
	other, err := store.Open(ctx, otherURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	if _, err := st.CreatePartner(ctx, sys, "OnPrimary", "GTQ"); err != nil {
		t.Fatal(err)
	}
	if _, err := other.CreatePartner(ctx, sys, "OnReplica", "GTQ"); err != nil {
		t.Fatal(err)
	}
	var log syncBuffer
	if err := st.UseReplica(otherURL, time.Second, slog.New(slog.NewTextHandler(&log, nil))); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(auditPartners(t, st), " ")
	if !strings.Contains(got, "OnReplica") || strings.Contains(got, "OnPrimary") {
		t.Fatalf("audit log read from the primary, want the replica: %s", got)
	}
	// What decides stays on the primary: the partner the replica lacks is found.
	if _, err := st.Partner(ctx, 1); err != nil {
		t.Fatal(err)
	}
}

func TestReadsFallBackToThePrimaryWhenTheReplicaIsDown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.New(t)
	if _, err := st.CreatePartner(ctx, sys, "OnPrimary", "GTQ"); err != nil {
		t.Fatal(err)
	}
	var log syncBuffer
	// Nothing listens on port 1.
	if err := st.UseReplica("postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=2", time.Second,
		slog.New(slog.NewTextHandler(&log, nil))); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(auditPartners(t, st), " ")
	if !strings.Contains(got, "OnPrimary") {
		t.Fatalf("audit log not read from the primary: %s", got)
	}
	if !strings.Contains(log.String(), "reads fall back to the primary") {
		t.Fatalf("the fallback is not logged: %q", log.String())
	}
}
