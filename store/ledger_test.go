package store_test

import (
	"context"
	"testing"

	"github.com/shopspring/decimal"

	"cardconsole/store"
	"cardconsole/store/storetest"
)

func TestAccountBalanceCannotGoNegativeEvenWithRawSQL(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := context.Background()
	p, err := st.CreatePartner(ctx, sys, "Acme", "GTQ")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().ExecContext(ctx, `UPDATE accounts SET balance = -1 WHERE partner_id = $1`, p.ID); err == nil {
		t.Fatal("the database accepted a negative balance")
	}
	b, err := st.PartnerBalance(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !b.Available.Equal(decimal.Zero) || b.Currency != "GTQ" || b.ClientID != p.ID {
		t.Fatalf("balance = %+v", b)
	}
}

func TestPermissionsCatalogAndRoles(t *testing.T) {
	t.Parallel()
	for role, perms := range store.Roles {
		for _, p := range perms {
			if !store.ValidPermission(p) {
				t.Errorf("role %s has unknown permission %s", role, p)
			}
			if p[len(p)-4:] == ":otp" {
				t.Errorf("role %s includes the otp pair %s", role, p)
			}
		}
	}
	st := storetest.New(t)
	ctx := context.Background()
	p, _ := st.CreatePartner(ctx, sys, "Acme", "GTQ")
	op, _ := st.CreateOperator(ctx, sys, "g@example.com", "long-enough-password", false)
	if err := st.Grant(ctx, sys, op.ID, p.ID, []string{"superuser"}, nil); !store.IsCode(err, store.CodeCheckParameters) {
		t.Fatalf("unknown role: %v", err)
	}
	if err := st.Grant(ctx, sys, op.ID, p.ID, []string{"checker"}, []string{"cards-admin:otp"}); err != nil {
		t.Fatal(err)
	}
	g, err := st.GrantsFor(ctx, op.ID, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !g.Has("approvals:update") || !g.Has("cards-admin:otp") || g.Has("cardholders:create") || !g.HasRole("checker") {
		t.Fatalf("grants = %+v", g)
	}
	other, _ := st.CreatePartner(ctx, sys, "Other", "USD")
	g2, _ := st.GrantsFor(ctx, op.ID, other.ID)
	if g2.Any() {
		t.Fatal("grants leaked to another partner")
	}
}

func TestAMovementMustAgreeWithItsAccount(t *testing.T) {
	t.Parallel()
	f := newFunds(t, "100")
	ctx := context.Background()
	other, err := f.st.CreatePartner(ctx, sys, "Other", "GTQ")
	if err != nil {
		t.Fatal(err)
	}
	insert := func(partnerID, cardID int64) error {
		_, err := f.st.DB().ExecContext(ctx, `
			INSERT INTO movements (entry_id, account_id, partner_id, card_id, type, direction, amount, currency, balance_after, actor_type)
			SELECT gen_random_uuid(), c.account_id, $1, $2, 'ADD_FUNDS', 'CREDIT', 1, 'GTQ', 1, 'SYSTEM' FROM cards c WHERE c.id = $3`,
			partnerID, cardID, f.card.ID)
		return err
	}
	if err := insert(other.ID, f.card.ID); err == nil {
		t.Error("a movement of the card's account was accepted under another partner")
	}
	if err := insert(f.partner, f.second.ID); err == nil {
		t.Error("a movement of the card's account was accepted under another card")
	}
	if err := insert(f.partner, f.card.ID); err != nil {
		t.Errorf("a consistent movement was refused: %v", err)
	}
}
