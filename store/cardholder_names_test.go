package store_test

import (
	"context"
	"testing"

	"cardconsole/store"
	"cardconsole/store/storetest"
)

// TestCardholderNamesStayWithinThePartner: the console names cardholders by their full name, never
// one of another partner, and a cardholder the partner does not have is 7100.
func TestCardholderNamesStayWithinThePartner(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	p, err := st.CreatePartner(ctx, sys, "Acme", "GTQ")
	if err != nil {
		t.Fatal(err)
	}
	other, err := st.CreatePartner(ctx, sys, "Other", "GTQ")
	if err != nil {
		t.Fatal(err)
	}
	mine, theirs := storetest.Cardholder(t, st, p.ID), storetest.Cardholder(t, st, other.ID)
	names, err := st.CardholderNames(ctx, p.ID, []int64{mine, theirs})
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 1 || names[mine] != "Ana Pérez" {
		t.Fatalf("names = %v", names)
	}
	if name, err := st.CardholderName(ctx, p.ID, mine); err != nil || name != "Ana Pérez" {
		t.Fatalf("CardholderName = %q, %v", name, err)
	}
	if _, err := st.CardholderName(ctx, p.ID, theirs); !store.IsCode(err, store.CodeUserNotFound) {
		t.Fatalf("another partner's cardholder: %v", err)
	}
	if names, err := st.CardholderNames(ctx, p.ID, nil); err != nil || len(names) != 0 {
		t.Fatalf("no ids: %v, %v", names, err)
	}
}
