package store_test

import (
	"context"
	"testing"

	"cardconsole/store"
	"cardconsole/store/storetest"
)

func TestAuditLogIsAppendOnly(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := context.Background()
	if _, err := st.CreatePartner(ctx, sys, "Acme", "GTQ"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := st.DB().GetContext(ctx, &n, `SELECT count(*) FROM audit_log WHERE action = 'partner.create'`); err != nil || n != 1 {
		t.Fatalf("partner.create audited %d times (%v)", n, err)
	}
	for _, q := range []string{
		`UPDATE audit_log SET action = 'forged'`,
		`DELETE FROM audit_log`,
		`TRUNCATE audit_log`,
	} {
		if _, err := st.DB().ExecContext(ctx, q); err == nil {
			t.Errorf("%s succeeded on the audit log", q)
		}
	}
	if err := st.DB().GetContext(ctx, &n, `SELECT count(*) FROM audit_log WHERE action = 'partner.create'`); err != nil || n != 1 {
		t.Fatalf("audit row changed: %d (%v)", n, err)
	}
}

func TestStateChangeAndItsAuditRowCommitTogether(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := context.Background()
	// An invalid currency is refused before anything is written: neither the partner nor an audit row.
	if _, err := st.CreatePartner(ctx, sys, "Bad", "gtq"); !store.IsCode(err, store.CodeCheckParameters) {
		t.Fatalf("got %v", err)
	}
	var partners, audits int
	_ = st.DB().GetContext(ctx, &partners, `SELECT count(*) FROM partners`)
	_ = st.DB().GetContext(ctx, &audits, `SELECT count(*) FROM audit_log`)
	if partners != 0 || audits != 0 {
		t.Fatalf("partners=%d audits=%d after a refused create", partners, audits)
	}
}
