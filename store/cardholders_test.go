package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"cardconsole/store"
	"cardconsole/store/storetest"
)

func newHolder(doc string, cardID int64) store.NewCardholder {
	return store.NewCardholder{Name: "Ana", LastName: "Pérez", Address: "Calle 1", CountryOfBirth: "GT", DateOfBirth: "1990-01-01",
		MaritalStatus: "soltero", Gender: "F", PhoneNumber: "50255551234", Email: "ana@example.com", DocumentType: "DPI",
		DocumentNumber: doc, CardID: cardID}
}

// race runs fn n times at once and returns the errors.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// wins counts the nil errors and checks that every other one has the code.
func wins(t *testing.T, errs []error, code store.Code) int {
	t.Helper()
	n := 0
	for _, err := range errs {
		switch {
		case err == nil:
			n++
		case !store.IsCode(err, code):
			t.Fatalf("unexpected error: %v", err)
		}
	}
	return n
}

func TestCardsAndDocumentsAreTakenOnce(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := context.Background()
	sys := store.SystemActor("test")
	p, err := st.CreatePartner(ctx, sys, "Quetzal", "GTQ")
	if err != nil {
		t.Fatal(err)
	}
	const n = 12
	cards, err := st.IssueCards(ctx, sys, p.ID, n+2)
	if err != nil {
		t.Fatal(err)
	}
	contested := cards[0].ID

	// n creates race for one card: one cardholder gets it, the others leave nothing behind.
	errs := race(n, func(i int) error {
		_, err := st.CreateCardholder(ctx, sys, p.ID, newHolder(fmt.Sprintf("%013d", i+1), contested))
		return err
	})
	if w := wins(t, errs, store.CodeCardNotUpdated); w != 1 {
		t.Fatalf("%d creates got the card", w)
	}
	var holders int
	if err := st.DB().Get(&holders, `SELECT count(*) FROM cardholders`); err != nil || holders != 1 {
		t.Fatalf("%d cardholders after the race (%v)", holders, err)
	}

	// n creates race with one document: one cardholder.
	errs = race(n, func(i int) error {
		_, err := st.CreateCardholder(ctx, sys, p.ID, newHolder("9999999999999", cards[1+i%2].ID))
		return err
	})
	if w := wins(t, errs, store.CodeConflict); w != 1 {
		t.Fatalf("%d creates with one document succeeded", w)
	}

	// n cardholders race to be given one stock card.
	var ids []int64
	if err := st.DB().Select(&ids, `SELECT id FROM cardholders ORDER BY id`); err != nil || len(ids) != 2 {
		t.Fatalf("cardholders %v %v", ids, err)
	}
	stock := cards[n+1].ID
	errs = race(n, func(i int) error {
		_, err := st.AssignCard(ctx, sys, p.ID, ids[i%2], stock)
		return err
	})
	if w := wins(t, errs, store.CodeCardNotUpdated); w != 1 {
		t.Fatalf("%d assignments of one card", w)
	}

	// n activations of one card: one changes it, one audit row.
	errs = race(n, func(int) error {
		_, err := st.ChangeCardStatus(ctx, sys, p.ID, 0, stock, store.ActivateCard)
		return err
	})
	if w := wins(t, errs, store.CodeInvalidStatusCard); w != 1 {
		t.Fatalf("%d activations", w)
	}
	var audited int
	if err := st.DB().Get(&audited, `SELECT count(*) FROM audit_log WHERE action = 'card.activate' AND object_id = $1`, fmt.Sprint(stock)); err != nil || audited != 1 {
		t.Fatalf("%d activations audited (%v)", audited, err)
	}

	// Concurrent block and unblock of one card never skip a state: every success is a real transition.
	errs = race(2*n, func(i int) error {
		a := store.BlockCard
		if i%2 == 1 {
			a = store.UnblockCard
		}
		_, err := st.ChangeCardStatus(ctx, sys, p.ID, 0, stock, a)
		return err
	})
	var blocks, unblocks int
	if err := st.DB().Get(&blocks, `SELECT count(*) FROM audit_log WHERE action = 'card.block' AND object_id = $1`, fmt.Sprint(stock)); err != nil {
		t.Fatal(err)
	}
	if err := st.DB().Get(&unblocks, `SELECT count(*) FROM audit_log WHERE action = 'card.unblock' AND object_id = $1`, fmt.Sprint(stock)); err != nil {
		t.Fatal(err)
	}
	c, err := st.CardByID(ctx, p.ID, stock)
	if err != nil {
		t.Fatal(err)
	}
	wantBlocks := unblocks
	if c.Status == store.CardBlocked {
		wantBlocks++
	}
	if blocks != wantBlocks || wins(t, errs, store.CodeInvalidStatusCard) != blocks+unblocks {
		t.Fatalf("%d blocks, %d unblocks, card %s", blocks, unblocks, c.Status)
	}
}

// Normalizing is idempotent and validation never panics, whatever the input.
func FuzzCardholderInput(f *testing.F) {
	f.Add("María José", "Ramírez", "GT", "1990-05-12", "soltero", "F", "50255551234", " Maria@Example.com ", "DPI", "2345678901234")
	f.Add("", "", "gt", "1990-02-30", "Soltero", "x", "+", "a@b", "NIT", "1234567-k")
	f.Fuzz(func(t *testing.T, name, last, country, birth, marital, gender, phone, email, docType, doc string) {
		in := store.NewCardholder{Name: name, LastName: last, Address: "Calle 1", CountryOfBirth: country, DateOfBirth: birth,
			MaritalStatus: marital, Gender: gender, PhoneNumber: phone, Email: email, DocumentType: docType, DocumentNumber: doc, CardID: 1}
		in.Normalize()
		again := in
		again.Normalize()
		if again != in {
			t.Fatalf("normalizing twice changed %+v into %+v", in, again)
		}
		var v store.Validation
		in.Validate(&v, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		if v.Err() == nil && (in.Email == "" || !store.ValidCountry(in.CountryOfBirth)) {
			t.Fatalf("accepted %+v", in)
		}
	})
}
