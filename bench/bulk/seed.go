package main

import (
	"context"
	"fmt"
	"net/url"

	"cardconsole/internal/benchdata"
	"cardconsole/store"
)

// The operators' password; their second factor is a TOTP secret each.
const password = "bench-password-1"

// world is what the seed made.
type world struct {
	stockPartner int64    // receives the cardholder file: one INACTIVE stock card per row
	payPartner   int64    // receives the payout file: cardholders with ACTIVE cards, a large balance
	copyPartners [2]int64 // receive psql's \copy of the same rows, before and after the upload
	payCards     []int64  // the ACTIVE cards of payPartner
	app          store.NewApplication
	maker        operator // uploads both files
	checker      operator // approves the payout
}

// operator is a console operator with an enrolled authenticator.
type operator struct {
	email, secret string
	token         string
	used          map[int64]bool // the code steps spent: a code is accepted once
}

// seed creates the three partners, the stock cards, the payout partner's cardholders and balance,
// the operators and an application, in set-based SQL where it can: the benchmark measures files,
// not card issuing.
func seed(ctx context.Context, st *store.Store, o options) (world, error) {
	var w world
	var err error
	sys := store.SystemActor("bench")
	if w.stockPartner, err = benchdata.Partner(ctx, st, "Bench Onboarding"); err != nil {
		return w, err
	}
	if w.payPartner, err = benchdata.Partner(ctx, st, "Bench Payroll"); err != nil {
		return w, err
	}
	for i := range w.copyPartners {
		if w.copyPartners[i], err = benchdata.Partner(ctx, st, fmt.Sprintf("Bench Copy %d", i+1)); err != nil {
			return w, err
		}
	}
	db := st.DB()
	if _, err := db.ExecContext(ctx, `
		WITH acc AS (
		    INSERT INTO accounts (partner_id, kind, currency) SELECT $1, 'CARD', 'GTQ' FROM generate_series(1, $2)
		    RETURNING id
		)
		INSERT INTO cards (partner_id, account_id, bin, last4, status)
		SELECT $1, id, '459876', lpad((id % 10000)::text, 4, '0'), 'INACTIVE' FROM acc`, w.stockPartner, o.rows); err != nil {
		return w, fmt.Errorf("seed stock cards: %w", err)
	}
	if err := benchdata.FillCardholders(ctx, st, w.payPartner, o.payouts); err != nil {
		return w, err
	}
	if _, err := db.ExecContext(ctx, `
		WITH a AS (
		    UPDATE accounts SET balance = balance + 1000000000 WHERE partner_id = $1 AND kind = 'PARTNER'
		    RETURNING id, partner_id, currency, balance
		)
		INSERT INTO movements (entry_id, account_id, partner_id, card_id, type, direction, amount, currency, balance_after,
		                       reference, actor_type, actor_label)
		SELECT gen_random_uuid(), a.id, a.partner_id, NULL, 'TOP_UP', 'CREDIT', 1000000000, a.currency, a.balance,
		       'bench opening balance', 'SYSTEM', 'bench' FROM a`, w.payPartner); err != nil {
		return w, fmt.Errorf("seed payout balance: %w", err)
	}
	if err := db.SelectContext(ctx, &w.payCards, `SELECT id FROM cards WHERE partner_id = $1 AND status = 'ACTIVE' ORDER BY id`,
		w.payPartner); err != nil {
		return w, err
	}
	if _, err := db.ExecContext(ctx, `VACUUM ANALYZE`); err != nil {
		return w, err
	}
	if w.app, err = st.CreateApplication(ctx, sys, "bench", []int64{w.stockPartner, w.payPartner}); err != nil {
		return w, err
	}
	newOperator := func(email string, grants map[int64][]string) (operator, error) {
		created, err := st.CreateOperator(ctx, sys, email, password, true)
		if err != nil {
			return operator{}, err
		}
		u, err := url.Parse(created.OTPAuthURI)
		if err != nil {
			return operator{}, err
		}
		for pid, perms := range grants {
			if err := st.Grant(ctx, sys, created.ID, pid, nil, perms); err != nil {
				return operator{}, err
			}
		}
		return operator{email: email, secret: u.Query().Get("secret"), used: map[int64]bool{}}, nil
	}
	makerPerms := []string{"bulk-create:create", "cards-admin:addFunds", "approvals:list"}
	if w.maker, err = newOperator("maker@bench.example", map[int64][]string{w.stockPartner: makerPerms, w.payPartner: makerPerms}); err != nil {
		return w, err
	}
	if w.checker, err = newOperator("checker@bench.example", map[int64][]string{w.payPartner: {"approvals:update", "approvals:list"}}); err != nil {
		return w, err
	}
	fmt.Printf("seeded %d stock cards, %d cardholders with ACTIVE cards and a balance for the payout\n", o.rows, len(w.payCards))
	return w, nil
}

// checkLedger fails unless every balance equals the sum of its movements and the balance after its
// last movement.
func checkLedger(ctx context.Context, st *store.Store) error {
	var bad int
	err := st.DB().GetContext(ctx, &bad, `
		SELECT count(*) FROM accounts a
		LEFT JOIN LATERAL (SELECT SUM(CASE direction WHEN 'CREDIT' THEN amount ELSE -amount END) AS sum
		                   FROM movements m WHERE m.account_id = a.id) s ON true
		LEFT JOIN LATERAL (SELECT balance_after FROM movements l WHERE l.account_id = a.id ORDER BY l.id DESC LIMIT 1) l ON true
		WHERE a.balance <> COALESCE(s.sum, 0) OR a.balance <> COALESCE(l.balance_after, 0)`)
	if err != nil {
		return fmt.Errorf("ledger check: %w", err)
	}
	if bad != 0 {
		return fmt.Errorf("ledger check: %d accounts whose balance is not the sum of their movements", bad)
	}
	fmt.Println("ledger check: every balance equals the sum of its movements and the balance after its last one")
	return nil
}
