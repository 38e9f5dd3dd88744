package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"cardconsole/internal/benchdata"
	"cardconsole/store"
)

// page is one kind of page view and the paths the operators request for it.
type page struct {
	name  string
	paths []string
}

// buildPages picks the paths of each page from the data: searches by fragments of real
// cardholders' emails, phones, documents and surnames, and the card pages of 500 cards taken at
// random and of the busiest cards.
func buildPages(ctx context.Context, st *store.Store, pid int64) ([]page, error) {
	prefix := fmt.Sprintf("/cms/rest/app/partners/%d", pid)
	var holders []struct {
		ID     int64  `db:"id"`
		Email  string `db:"email"`
		Phone  string `db:"phone_number"`
		Doc    string `db:"document_number"`
		Last   string `db:"last_name"`
		CardID int64  `db:"card_id"`
	}
	err := st.DB().SelectContext(ctx, &holders, `
		SELECT h.id, h.email, h.phone_number, h.document_number, h.last_name, c.id AS card_id
		FROM cardholders h JOIN cards c ON c.cardholder_id = h.id
		WHERE h.partner_id = $1 AND h.id = ANY (ARRAY(
		    SELECT lo + (random() * (hi - lo))::bigint
		    FROM (SELECT min(id) AS lo, max(id) AS hi FROM cardholders WHERE partner_id = $1) b, generate_series(1, 500)))`, pid)
	if err != nil {
		return nil, err
	}
	if len(holders) == 0 {
		return nil, fmt.Errorf("partner %d has no cardholders", pid)
	}
	var busy []struct {
		HolderID int64 `db:"cardholder_id"`
		CardID   int64 `db:"card_id"`
	}
	err = st.DB().SelectContext(ctx, &busy, `SELECT c.cardholder_id, c.id AS card_id FROM bench_card_index i
		JOIN cards c ON c.id = i.card_id WHERE i.n <= $1 ORDER BY i.n`, benchdata.BusyCards)
	if err != nil {
		return nil, err
	}
	search, cards, busyCards := page{name: "cardholder search"}, page{name: "card page with movements"},
		page{name: "card page with movements, busiest cards"}
	for i, h := range holders {
		local, _, _ := strings.Cut(h.Email, "@")
		frag := []string{local[max(0, len(local)-9):], h.Phone[4:11], h.Doc[3:11], h.Last}[i%4]
		search.paths = append(search.paths, prefix+"/cardholders?"+url.Values{"searchText": {frag}}.Encode())
		cards.paths = append(cards.paths, fmt.Sprintf("%s/cardholders/%d/cards/%d", prefix, h.ID, h.CardID))
	}
	for _, b := range busy {
		busyCards.paths = append(busyCards.paths, fmt.Sprintf("%s/cardholders/%d/cards/%d", prefix, b.HolderID, b.CardID))
	}
	return []page{
		{name: "dashboard", paths: []string{"/"}},
		{name: "partner page", paths: []string{prefix}},
		search, cards, busyCards,
		{name: "client requests", paths: []string{"/api/v2/applications"}},
	}, nil
}

// pageNames returns what names the page of a URL (absolute, or a path with its query).
func pageNames(pages []page) func(string) string {
	byPath := map[string]string{}
	for _, p := range pages {
		for _, path := range p.paths {
			byPath[path] = p.name
		}
	}
	return func(raw string) string {
		u, err := url.Parse(raw)
		if err != nil {
			return "other"
		}
		if name, ok := byPath[u.RequestURI()]; ok {
			return name
		}
		return "other"
	}
}
