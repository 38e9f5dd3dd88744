package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"cardconsole/store"
)

// cardCommand runs `cardconsole card issue --partner ID --count N`: it issues INACTIVE, unassigned
// stock cards, the same operation as POST .../partners/{partnerId}/cards, and prints them as JSON
// (masked numbers only).
func cardCommand(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "issue" {
		return fmt.Errorf("usage: cardconsole card issue --partner ID --count N")
	}
	fs := flag.NewFlagSet("card issue", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	partner := fs.Int64("partner", 0, "partner id")
	count := fs.Int("count", 0, fmt.Sprintf("number of cards, 1 to %d", store.MaxIssue))
	if err := fs.Parse(args[1:]); err != nil || *partner <= 0 {
		return fmt.Errorf("usage: cardconsole card issue --partner ID --count N")
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	cards, err := st.IssueCards(ctx, store.SystemActor("cli"), *partner, *count)
	if err != nil {
		return describe(err)
	}
	out := make([]issuedCard, len(cards))
	for i, c := range cards {
		out[i] = issuedCard{ID: c.ID, MaskedNumber: c.MaskedNumber(), Status: c.Status, Currency: c.Currency}
	}
	return printJSON(map[string]any{"partnerId": *partner, "cards": out})
}

// issuedCard is a card as the command prints it.
type issuedCard struct {
	ID           int64  `json:"id"`
	MaskedNumber string `json:"maskedNumber"`
	Status       string `json:"status"`
	Currency     string `json:"currency"`
}
