package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"cardconsole/store"
	"cardconsole/store/storetest"
)

// Both ways of answering a search (collect the matches and sort them, or walk the sort's index)
// must give the same pages in the same order, ties included.
func TestCardholderSearchStrategiesAgree(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := context.Background()
	sys := store.SystemActor("test")
	p, err := st.CreatePartner(ctx, sys, "Quetzal", "GTQ")
	if err != nil {
		t.Fatal(err)
	}
	cards, err := st.IssueCards(ctx, sys, p.ID, 30)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"Ana", "Álvaro", "Beatriz", "Ana"}
	for i, c := range cards {
		domain := "example.com"
		if i%3 == 0 {
			domain = "correo.gt"
		}
		_, err := st.CreateCardholder(ctx, sys, p.ID, store.NewCardholder{Name: names[i%4], LastName: names[(i+1)%4],
			Address: "Calle 1", CountryOfBirth: "GT", DateOfBirth: "1990-01-01", MaritalStatus: "soltero", Gender: "F",
			PhoneNumber: fmt.Sprintf("5025555%04d", i), Email: fmt.Sprintf("p%d@%s", i%7, domain) + fmt.Sprint(i),
			DocumentType: "DPI", DocumentNumber: fmt.Sprintf("%013d", (i*7919)%1000), CardID: c.ID})
		if err != nil {
			t.Fatal(err)
		}
	}
	list := func(f store.CardholderFilter) []int64 {
		items, _, err := st.ListCardholders(ctx, sys, f)
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]int64, len(items))
		for i, it := range items {
			ids[i] = it.ID
		}
		return ids
	}
	for _, sortBy := range []string{"createdAt", "id", "name", "lastName", "email", "documentNumber"} {
		for _, order := range []string{"asc", "desc"} {
			for page := 1; page <= 3; page++ {
				f := store.CardholderFilter{PartnerID: p.ID, Search: "example", SortBy: sortBy, SortOrder: order, Page: store.NewPage(page, 7)}
				restore := st.ForceSearchStrategy(true)
				sorted := list(f)
				restore()
				restore = st.ForceSearchStrategy(false)
				walked := list(f)
				restore()
				if !slices.Equal(sorted, walked) || (page == 1 && len(sorted) != 7) {
					t.Fatalf("%s %s page %d: collected %v, walked %v", sortBy, order, page, sorted, walked)
				}
			}
		}
	}
}
