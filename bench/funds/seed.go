package main

import (
	"context"
	"fmt"

	"cardconsole/store"
)

// world is what the seed made: the cards in partner order and the application's credentials.
type world struct {
	cardIDs    []int64 // the first perPartner cards belong to the first partner
	perPartner int
	creds      store.NewApplication
}

// openingMovement writes the TOP_UP movement of each row of a (id, partner_id, card_id, currency,
// balance), so that every seeded balance equals the sum of its movements from the start.
const openingMovement = `
	INSERT INTO movements (entry_id, account_id, partner_id, card_id, type, direction, amount, currency, balance_after,
	                       reference, actor_type, actor_label)
	SELECT gen_random_uuid(), a.id, a.partner_id, a.card_id, 'TOP_UP', 'CREDIT', a.balance, a.currency, a.balance,
	       'bench opening balance', 'SYSTEM', 'bench' FROM a`

// seed creates the partners with a large available balance, the ACTIVE cards with an opening
// balance, and an application serving every partner. It writes in bulk SQL: the benchmark measures
// the funds API, not card issuing.
func seed(ctx context.Context, st *store.Store, o options) (world, error) {
	db := st.DB()
	perPartner := o.cards / o.partners
	var partnerIDs []int64
	err := db.SelectContext(ctx, &partnerIDs, `INSERT INTO partners (name, currency)
		SELECT 'Bench partner ' || g, 'GTQ' FROM generate_series(1, $1) g RETURNING id`, o.partners)
	if err != nil {
		return world{}, fmt.Errorf("seed partners: %w", err)
	}
	_, err = db.ExecContext(ctx, `
		WITH a AS (
		    INSERT INTO accounts (partner_id, kind, currency, balance)
		    SELECT id, 'PARTNER', currency, 1000000000 FROM partners
		    RETURNING id, partner_id, NULL::bigint AS card_id, currency, balance
		)`+openingMovement)
	if err != nil {
		return world{}, fmt.Errorf("seed partner balances: %w", err)
	}
	_, err = db.ExecContext(ctx, `
		WITH acc AS (
		    INSERT INTO accounts (partner_id, kind, currency, balance)
		    SELECT p.id, 'CARD', p.currency, 1000000 FROM partners p, generate_series(1, $1) g
		    RETURNING id, partner_id, currency, balance
		), card AS (
		    INSERT INTO cards (partner_id, account_id, bin, last4, status)
		    SELECT partner_id, id, '459876', lpad((id % 10000)::text, 4, '0'), 'ACTIVE' FROM acc
		    RETURNING id, account_id
		), a AS (
		    SELECT acc.id, acc.partner_id, card.id AS card_id, acc.currency, acc.balance FROM acc JOIN card ON card.account_id = acc.id
		)`+openingMovement, perPartner)
	if err != nil {
		return world{}, fmt.Errorf("seed cards: %w", err)
	}
	if _, err := db.ExecContext(ctx, `VACUUM ANALYZE`); err != nil {
		return world{}, err
	}
	w := world{perPartner: perPartner}
	if err := db.SelectContext(ctx, &w.cardIDs, `SELECT id FROM cards ORDER BY partner_id, id`); err != nil {
		return world{}, err
	}
	w.creds, err = st.CreateApplication(ctx, store.SystemActor("bench"), "bench issuer", partnerIDs)
	if err != nil {
		return world{}, err
	}
	fmt.Printf("seeded %d partners and %d ACTIVE cards\n", len(partnerIDs), len(w.cardIDs))
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
	return nil
}
