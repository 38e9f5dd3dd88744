package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"cardconsole/store"
)

// CardMovementAt loads the card from its partner's balance (a positive amount) or unloads it back
// (a negative amount) as the ledger does, both balances and both movements in one statement, but
// dated at, so tests can fill past periods. The partner must hold enough (CreditPartner); a card
// that would go below zero fails the test through the balance CHECK.
func CardMovementAt(t testing.TB, st *store.Store, card store.Card, amount string, at time.Time, reference, description string) store.Movement {
	t.Helper()
	var m store.Movement
	err := st.DB().GetContext(context.Background(), &m, `
		WITH c AS (
		    UPDATE accounts SET balance = balance + $2::numeric, updated_at = now() WHERE id = $1
		    RETURNING id, partner_id, currency, balance
		), p AS (
		    UPDATE accounts a SET balance = a.balance - $2::numeric, updated_at = now() FROM c
		    WHERE a.partner_id = c.partner_id AND a.kind = 'PARTNER' AND a.currency = c.currency
		    RETURNING a.id, a.balance
		), e AS (SELECT gen_random_uuid() AS id), pm AS (
		    INSERT INTO movements (entry_id, account_id, partner_id, type, direction, amount, currency, balance_after,
		                           counterpart_account_id, counterpart_card_id, channel, reference, description,
		                           actor_type, actor_label, created_at)
		    SELECT e.id, p.id, c.partner_id, CASE WHEN $2::numeric > 0 THEN 'ADD_FUNDS' ELSE 'WITHDRAW_FUNDS' END,
		           CASE WHEN $2::numeric > 0 THEN 'DEBIT' ELSE 'CREDIT' END, abs($2::numeric), c.currency, p.balance,
		           c.id, $3, 'CMS', $5, $6, 'SYSTEM', 'test', $4
		    FROM c, p, e
		)
		INSERT INTO movements (entry_id, account_id, partner_id, card_id, type, direction, amount, currency, balance_after,
		                       counterpart_account_id, channel, reference, description, actor_type, actor_label, created_at)
		SELECT e.id, c.id, c.partner_id, $3, CASE WHEN $2::numeric > 0 THEN 'ADD_FUNDS' ELSE 'WITHDRAW_FUNDS' END,
		       CASE WHEN $2::numeric > 0 THEN 'CREDIT' ELSE 'DEBIT' END, abs($2::numeric), c.currency, c.balance,
		       p.id, 'CMS', $5, $6, 'SYSTEM', 'test', $4
		FROM c, p, e
		RETURNING id, entry_id, account_id, partner_id, card_id, type, direction, amount, currency, balance_after,
		          counterpart_account_id, counterpart_card_id, channel, reference, description, custom_keys,
		          actor_type, actor_id, actor_label, created_at`,
		card.AccountID, amount, card.ID, at, reference, description)
	if err != nil {
		t.Fatalf("card movement: %v", err)
	}
	return m
}

// CardHistory writes n movements of the card in one statement, the first at start and one every
// step: three loads from the partner's balance for each unload back to it, each with the balances
// after it on both sides, as the ledger would have written them. It credits the partner with what the
// loads need first. Benchmarks use it for a year of movements.
func CardHistory(t testing.TB, st *store.Store, card store.Card, n int, start time.Time, step time.Duration) {
	t.Helper()
	CreditPartner(t, st, card.PartnerID, "100000000")
	_, err := st.DB().ExecContext(context.Background(), `
		WITH p AS (
		    SELECT a.id, a.balance FROM accounts a JOIN cards c ON c.id = $1
		    WHERE a.partner_id = c.partner_id AND a.kind = 'PARTNER' AND a.currency = (SELECT currency FROM accounts WHERE id = $2)
		), g AS (
		    SELECT i, CASE WHEN i % 4 = 3 THEN -(5 + i % 13 + 0.5) ELSE 10 + i % 97 + 0.25 END::numeric AS delta
		    FROM generate_series(0, $3 - 1) AS i
		), r AS (
		    SELECT i, delta, sum(delta) OVER (ORDER BY i) AS card_balance, gen_random_uuid() AS entry_id,
		           $4::timestamptz + i * $5::interval AS at
		    FROM g
		), ins AS (
		    INSERT INTO movements (entry_id, account_id, partner_id, card_id, type, direction, amount, currency, balance_after,
		                           counterpart_account_id, channel, reference, description, actor_type, actor_label, created_at)
		    SELECT r.entry_id, $2, c.partner_id, c.id, CASE WHEN delta > 0 THEN 'ADD_FUNDS' ELSE 'WITHDRAW_FUNDS' END,
		           CASE WHEN delta > 0 THEN 'CREDIT' ELSE 'DEBIT' END, abs(delta), a.currency, card_balance + a.balance,
		           p.id, 'CMS', 'HIST-' || lpad(i::text, 6, '0'), 'Movimiento de prueba número ' || i || ' — año',
		           'SYSTEM', 'test', r.at
		    FROM r, p, cards c JOIN accounts a ON a.id = c.account_id WHERE c.id = $1
		    UNION ALL
		    SELECT r.entry_id, p.id, c.partner_id, NULL, CASE WHEN delta > 0 THEN 'ADD_FUNDS' ELSE 'WITHDRAW_FUNDS' END,
		           CASE WHEN delta > 0 THEN 'DEBIT' ELSE 'CREDIT' END, abs(delta), a.currency, p.balance - card_balance,
		           $2, 'CMS', 'HIST-' || lpad(i::text, 6, '0'), '', 'SYSTEM', 'test', r.at
		    FROM r, p, cards c JOIN accounts a ON a.id = c.account_id WHERE c.id = $1
		    RETURNING 1
		), total AS (SELECT sum(delta) AS d FROM g)
		UPDATE accounts SET balance = balance + CASE WHEN id = $2 THEN total.d ELSE -total.d END, updated_at = now()
		FROM total WHERE id IN ($2, (SELECT id FROM p)) AND (SELECT count(*) FROM ins) > 0`,
		card.ID, card.AccountID, n, start, fmt.Sprintf("%f seconds", step.Seconds()))
	if err != nil {
		t.Fatalf("card history: %v", err)
	}
}
