package benchdata

import (
	"context"
	"fmt"
	"os"
	"time"

	"cardconsole/store"
)

// postingBatch is how many postings (two movements each) one statement writes.
const postingBatch = 250_000

// idBase is the movement id before the first generated one: the ids of posting k are idBase+2k-1
// (the card's side) and idBase+2k (the partner's side), so that a second run finds where the first
// stopped from the largest id, and each account's movements are in ledger order by id. The partner's
// opening top-up, written first, takes an id below it.
const idBase = 1000

// BusyCards is how many cards (the partner's first ones) take one posting in a hundred each: each
// has about a thousand times the movements of an ordinary card, as a card that pays a payroll does.
const BusyCards = 10

// FillMovements gives the cards of partner pid loads (ADD_FUNDS: the partner's balance debited,
// the card's credited) until the partner's ledger holds n movements, two per load, written in
// set-based statements and kept consistent: each account's balance is the sum of its movements and
// the balance after its last one. The partner's available balance is first credited by one opening
// top-up that covers every load. Loads go to the cards in a scattered order; one in a hundred goes to
// one of the BusyCards. Movements are dated over the year before now, in ledger order.
func FillMovements(ctx context.Context, st *store.Store, pid int64, n int) error {
	db := st.DB()
	cards, err := cardIndex(ctx, st, pid)
	if err != nil {
		return err
	}
	var partnerAccount int64
	err = db.GetContext(ctx, &partnerAccount, `SELECT id FROM accounts WHERE partner_id = $1 AND kind = 'PARTNER' AND currency = 'GTQ'`, pid)
	if err != nil {
		err = db.GetContext(ctx, &partnerAccount, `INSERT INTO accounts (partner_id, kind, currency) VALUES ($1, 'PARTNER', 'GTQ') RETURNING id`, pid)
	}
	if err != nil {
		return fmt.Errorf("partner account: %w", err)
	}
	var last int64
	if err := db.GetContext(ctx, &last, `SELECT COALESCE(max(id), 0) FROM movements`); err != nil {
		return err
	}
	if last == 0 {
		// The opening top-up: more than every load can take (at most 500.99 each).
		_, err := db.ExecContext(ctx, `
			WITH a AS (UPDATE accounts SET balance = 1000000000000 WHERE id = $1 RETURNING id, partner_id, currency, balance)
			INSERT INTO movements (entry_id, account_id, partner_id, type, direction, amount, currency, balance_after,
			                       reference, actor_type, actor_label, created_at)
			SELECT gen_random_uuid(), id, partner_id, 'TOP_UP', 'CREDIT', balance, currency, balance, 'bench opening balance',
			       'SYSTEM', 'bench', now() - interval '366 days' FROM a`, partnerAccount)
		if err != nil {
			return fmt.Errorf("opening top-up: %w", err)
		}
		last = idBase
	}
	done := (last - idBase) / 2
	total := int64(n / 2)
	if done >= total {
		fmt.Fprintf(os.Stderr, "bench: partner %d already has %d movements\n", pid, 2*done+1)
		return nil
	}
	start := time.Now()
	for from := done + 1; from <= total; from += postingBatch {
		to := min(from+postingBatch-1, total)
		if _, err := db.ExecContext(ctx, movementsSQL, pid, partnerAccount, from, to, total, cards, BusyCards); err != nil {
			return fmt.Errorf("movements of loads %d-%d: %w", from, to, err)
		}
		fmt.Fprintf(os.Stderr, "bench: %d movements (%s)\n", 2*to, time.Since(start).Round(time.Second))
	}
	_, err = db.ExecContext(ctx, `SELECT setval('movements_id_seq', (SELECT max(id) FROM movements))`)
	return err
}

// movementsSQL writes loads $3..$4 of $5 on partner $1 (its account $2) in one statement, spread
// over the $6 cards of bench_card_index, one in a hundred on the first $7. Each load's two
// movements share an entry id; balances after are running sums from the accounts' balances before
// the statement, which then move by the statement's totals. All CTEs read the same snapshot, so
// the balances read are those before the updates.
var movementsSQL = `
WITH p AS (
    SELECT k, gen_random_uuid() AS entry_id,
           CASE WHEN k % 100 = 0 THEN 1 + (k / 100) % $7 ELSE 1 + (k * 7919) % $6 END AS n,
           ((k * 37) % 50000 + 100) / 100.0 AS amount,
           now() - interval '365 days' + (interval '365 days') * (k::double precision / $5) AS at
    FROM generate_series($3::bigint, $4::bigint) k
), pc AS MATERIALIZED (
    SELECT p.*, c.card_id, c.account_id FROM p JOIN bench_card_index c USING (n)
), partner AS (
    SELECT id, balance FROM accounts WHERE id = $2
), card_side AS (
    INSERT INTO movements (id, entry_id, account_id, partner_id, card_id, type, direction, amount, currency, balance_after,
                           counterpart_account_id, channel, reference, description, actor_type, actor_label, created_at)
    SELECT ` + fmt.Sprint(idBase) + ` + 2 * pc.k - 1, pc.entry_id, pc.account_id, $1, pc.card_id, 'ADD_FUNDS', 'CREDIT', pc.amount, 'GTQ',
           a.balance + sum(pc.amount) OVER (PARTITION BY pc.account_id ORDER BY pc.k),
           $2, 'BENCH', 'bench-' || pc.k, 'Monthly allowance', 'SYSTEM', 'bench', pc.at
    FROM pc JOIN accounts a ON a.id = pc.account_id
), partner_side AS (
    INSERT INTO movements (id, entry_id, account_id, partner_id, card_id, type, direction, amount, currency, balance_after,
                           counterpart_account_id, counterpart_card_id, channel, reference, description, actor_type, actor_label, created_at)
    SELECT ` + fmt.Sprint(idBase) + ` + 2 * pc.k, pc.entry_id, $2, $1, NULL, 'ADD_FUNDS', 'DEBIT', pc.amount, 'GTQ',
           partner.balance - sum(pc.amount) OVER (ORDER BY pc.k),
           pc.account_id, pc.card_id, 'BENCH', 'bench-' || pc.k, 'Monthly allowance', 'SYSTEM', 'bench', pc.at
    FROM pc, partner
), cards_moved AS (
    UPDATE accounts a SET balance = a.balance + s.total
    FROM (SELECT account_id, sum(amount) AS total FROM pc GROUP BY account_id) s WHERE a.id = s.account_id
)
UPDATE accounts SET balance = balance - (SELECT sum(amount) FROM pc) WHERE id = $2`

// cardIndex numbers the partner's cards 1..n once (bench_card_index), so that set-based SQL can
// pick a card by number, and returns n.
func cardIndex(ctx context.Context, st *store.Store, pid int64) (int64, error) {
	db := st.DB()
	if _, err := db.ExecContext(ctx, `
		CREATE TABLE IF NOT EXISTS bench_card_index (n bigint PRIMARY KEY, card_id bigint NOT NULL, account_id bigint NOT NULL)`); err != nil {
		return 0, fmt.Errorf("card index: %w", err)
	}
	if _, err := db.ExecContext(ctx, `
		INSERT INTO bench_card_index
		SELECT row_number() OVER (ORDER BY id), id, account_id FROM cards WHERE partner_id = $1 AND cardholder_id IS NOT NULL
		  AND NOT EXISTS (SELECT FROM bench_card_index)`, pid); err != nil {
		return 0, fmt.Errorf("card index: %w", err)
	}
	var cards int64
	if err := db.GetContext(ctx, &cards, `SELECT count(*) FROM bench_card_index`); err != nil {
		return 0, err
	}
	if cards == 0 {
		return 0, fmt.Errorf("partner %d has no cards", pid)
	}
	return cards, nil
}

// FillClientRequests adds pending client requests (withdrawals, deposits and profile changes) of
// the partner's cardholders until the partner has n, newest last, over the last 90 days.
func FillClientRequests(ctx context.Context, st *store.Store, pid int64, n int) error {
	var have int
	if err := st.DB().GetContext(ctx, &have, `SELECT count(*) FROM client_requests WHERE partner_id = $1`, pid); err != nil {
		return err
	}
	if have >= n {
		return nil
	}
	if _, err := cardIndex(ctx, st, pid); err != nil {
		return err
	}
	_, err := st.DB().ExecContext(ctx, `
		INSERT INTO client_requests (partner_id, cardholder_id, type, payload, amount, currency, submitted_by_type,
		                             submitted_by_label, created_at, updated_at)
		SELECT $1, h.id, (ARRAY['withdrawal','deposit','profile'])[1 + g % 3],
		       CASE WHEN g % 3 = 2 THEN jsonb_build_object('address', 'Zona ' || (g % 25 + 1)) ELSE '{}'::jsonb END,
		       CASE WHEN g % 3 = 2 THEN NULL ELSE ((g * 37) % 50000 + 100) / 100.0 END,
		       CASE WHEN g % 3 = 2 THEN NULL ELSE 'GTQ' END, 'CARDHOLDER', 'bench',
		       now() - interval '90 days' * (1 - g::double precision / $3), now() - interval '90 days' * (1 - g::double precision / $3)
		FROM generate_series($2::bigint, $3::bigint) g
		JOIN bench_card_index c ON c.n = 1 + (g * 104729) % (SELECT count(*) FROM bench_card_index)
		JOIN cards k ON k.id = c.card_id JOIN cardholders h ON h.id = k.cardholder_id`, pid, have+1, n)
	if err != nil {
		return fmt.Errorf("client requests: %w", err)
	}
	return nil
}
