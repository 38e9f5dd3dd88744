package storetest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"cardconsole/store"
)

var fixtureSeq atomic.Int64

// Cardholder inserts a cardholder of the partner with unique, valid data and returns its id.
func Cardholder(t testing.TB, st *store.Store, partnerID int64) int64 {
	t.Helper()
	n := fixtureSeq.Add(1)
	var id int64
	err := st.DB().GetContext(context.Background(), &id, `
		INSERT INTO cardholders (partner_id, name, last_name, address, country_of_birth, date_of_birth, marital_status,
		                         gender, phone_number, email, document_type, document_number)
		VALUES ($1, 'Ana', 'Pérez', 'Calle 1', 'GT', '1990-01-01', 'soltero', 'F', $2, $3, 'DPI', $4)
		RETURNING id`, partnerID, fmt.Sprintf("5025555%04d", n%10000), fmt.Sprintf("holder%d@example.com", n), fmt.Sprintf("%013d", n))
	if err != nil {
		t.Fatalf("insert cardholder: %v", err)
	}
	return id
}

// ActiveCard issues a card of the partner, assigns it to the cardholder and activates it, through
// the same store operations as the API.
func ActiveCard(t testing.TB, st *store.Store, partnerID, cardholderID int64) store.Card {
	t.Helper()
	ctx := context.Background()
	actor := store.SystemActor("test")
	cards, err := st.IssueCards(ctx, actor, partnerID, 1)
	if err != nil {
		t.Fatalf("issue card: %v", err)
	}
	if _, err := st.AssignCard(ctx, actor, partnerID, cardholderID, cards[0].ID); err != nil {
		t.Fatalf("assign card: %v", err)
	}
	card, err := st.ChangeCardStatus(ctx, actor, partnerID, cardholderID, cards[0].ID, store.ActivateCard)
	if err != nil {
		t.Fatalf("activate card: %v", err)
	}
	return card
}

// CreditPartner puts money on the partner's balance as an external top-up would: the balance and a
// TOP_UP movement change together, so the ledger stays consistent.
func CreditPartner(t testing.TB, st *store.Store, partnerID int64, amount string) {
	t.Helper()
	_, err := st.DB().ExecContext(context.Background(), `
		WITH acc AS (
		    UPDATE accounts a SET balance = balance + $2::numeric, updated_at = now()
		    FROM partners p WHERE a.partner_id = $1 AND a.kind = 'PARTNER' AND p.id = a.partner_id AND a.currency = p.currency
		    RETURNING a.id, a.partner_id, a.currency, a.balance
		)
		INSERT INTO movements (entry_id, account_id, partner_id, type, direction, amount, currency, balance_after,
		                       reference, actor_type, actor_label)
		SELECT gen_random_uuid(), acc.id, acc.partner_id, 'TOP_UP', 'CREDIT', $2::numeric, acc.currency, acc.balance,
		       'test credit', 'SYSTEM', 'test'
		FROM acc`, partnerID, amount)
	if err != nil {
		t.Fatalf("credit partner: %v", err)
	}
}
