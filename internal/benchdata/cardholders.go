// Package benchdata fills a benchmark's own database with data at scale, in set-based SQL
// (INSERT ... SELECT generate_series), for the benchmarks under bench/: a million cardholders with
// their cards, and the movements of their cards.
package benchdata

import (
	"context"
	"fmt"
	"os"
	"time"

	"cardconsole/store"
)

// fillBatch is how many cardholders one statement makes.
const fillBatch = 50_000

// Partner finds or creates the partner named name (currency GTQ) and returns its id.
func Partner(ctx context.Context, st *store.Store, name string) (int64, error) {
	var id int64
	err := st.DB().GetContext(ctx, &id, `SELECT id FROM partners WHERE name = $1`, name)
	if err == nil {
		return id, nil
	}
	p, err := st.CreatePartner(ctx, store.SystemActor("bench"), name, "GTQ")
	return p.ID, err
}

// FillCardholders adds cardholders, each with an ACTIVE card and its account, until the partner has n. Rows
// are made by the database from generate_series, in batches, with realistic names, Guatemalan
// phones and DPI numbers; emails, phones and documents are unique.
func FillCardholders(ctx context.Context, st *store.Store, pid int64, n int) error {
	var have int
	if err := st.DB().GetContext(ctx, &have, `SELECT count(*) FROM cardholders WHERE partner_id = $1`, pid); err != nil {
		return err
	}
	if have >= n {
		fmt.Fprintf(os.Stderr, "bench: partner %d already has %d cardholders\n", pid, have)
		return nil
	}
	start := time.Now()
	for from := have + 1; from <= n; from += fillBatch {
		to := min(from+fillBatch-1, n)
		if _, err := st.DB().ExecContext(ctx, fillSQL, pid, from, to); err != nil {
			return fmt.Errorf("fill %d-%d: %w", from, to, err)
		}
		fmt.Fprintf(os.Stderr, "bench: %d cardholders (%s)\n", to, time.Since(start).Round(time.Second))
	}
	fmt.Fprintf(os.Stderr, "bench: filled in %s\n", time.Since(start).Round(time.Second))
	return nil
}

// fillSQL makes cardholders $2..$3 of partner $1 with their cards in one statement: the ids come
// from the sequences first, so each card joins its cardholder and its account without a lookup.
const fillSQL = `
WITH src AS (
    SELECT g,
           nextval('cardholders_id_seq') AS ch_id,
           nextval('accounts_id_seq') AS acc_id,
           (ARRAY['María','José','Ana','Luis','Carmen','Jorge','Lucía','Carlos','Sofía','Miguel','Andrea','Óscar',
                  'Gabriela','Héctor','Valeria','Raúl','Daniela','Julián','Mónica','Tomás'])[1 + g % 20] AS first,
           (ARRAY['Ramírez','Gómez','Pérez','López','Hernández','García','Martínez','Castañeda','Xicará','Álvarez',
                  'Méndez','Chávez','Núñez','Batz','Quiñónez','Sáenz','Ajú','Morales','Figueroa','Cojtí'])[1 + (g / 20) % 20] AS last,
           (ARRAY['correo.gt','example.com','mail.com','banco.gt','empresa.com.gt'])[1 + (g / 400) % 5] AS domain
    FROM generate_series($2::bigint, $3::bigint) g
), holders AS (
    INSERT INTO cardholders (id, partner_id, name, last_name, address, country_of_birth, date_of_birth, marital_status,
                             gender, phone_number, email, document_type, document_number, created_at)
    SELECT ch_id, $1, first, last, (g % 30 + 1) || 'a. Avenida ' || (g % 97) || '-' || (g % 89) || ', Zona ' || (g % 25 + 1),
           (ARRAY['GT','GT','GT','SV','MX','HN'])[1 + g % 6], date '1950-01-01' + (g * 37 % 20000)::int,
           (ARRAY['soltero','casado','viudo','divorciado','separado'])[1 + g % 5], (ARRAY['F','M','OTHER'])[1 + g % 3],
           '502' || lpad(((g * 7919) % 100000000)::text, 8, '0'),
           lower(translate(first || '.' || last, 'áéíóúñÁÉÍÓÚÑ', 'aeiounAEIOUN')) || g || '@' || domain,
           'DPI', (2000000000000 + g * 37)::text,
           now() - make_interval(secs => ($3 - g)::double precision)
    FROM src
), card_accounts AS (
    INSERT INTO accounts (id, partner_id, kind, currency) SELECT acc_id, $1, 'CARD', 'GTQ' FROM src
)
INSERT INTO cards (partner_id, cardholder_id, account_id, bin, last4, status)
SELECT $1, ch_id, acc_id, '459876', lpad((g * 7 % 10000)::text, 4, '0'), 'ACTIVE' FROM src`
