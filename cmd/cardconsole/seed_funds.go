package main

import (
	"context"

	"github.com/shopspring/decimal"

	"cardconsole/store"
)

// seedCardFunds loads every active demo card from its partner's balance, as the maker or admin would
// in the console, and moves part of it to the second card of cardholders who have two, so that
// balances and movements are there to look at right after make run.
func seedCardFunds(ctx context.Context, d *demo) error {
	makers := map[string]string{"Quetzal Pay": "maker@demo.test", "Andes Wallet": "admin@demo.test"}
	for partner, maker := range makers {
		pid := d.partners[partner]
		cards, _, err := d.st.ListCards(ctx, store.CardFilter{PartnerID: pid, Status: store.CardActive, Page: store.NewPage(1, store.MaxLimit)})
		if err != nil {
			return err
		}
		actor := d.operatorActor(maker)
		firstCard := map[int64]int64{} // cardholder → the card loaded first
		for i, c := range cards {
			if c.CardholderID == nil {
				continue
			}
			amount := decimal.NewFromInt(int64(500 + 125*(i%7)))
			op := store.FundsOp{PartnerID: pid, CardholderID: *c.CardholderID, CardID: c.ID, Amount: amount,
				Channel: store.ChannelCMS, Description: "Monthly allowance"}
			if _, err := d.st.Apply(ctx, actor, store.AddFundsOperation(op)); err != nil {
				return err
			}
			from, seen := firstCard[*c.CardholderID]
			if !seen {
				firstCard[*c.CardholderID] = c.ID
				continue
			}
			transfer := store.TransferOp{PartnerID: pid, CardholderID: *c.CardholderID, FromCardID: from, ToCardID: c.ID,
				Amount: decimal.NewFromInt(120), Description: "Budget for the second card"}
			if _, err := d.st.Apply(ctx, actor, store.TransferOperation(transfer)); err != nil {
				return err
			}
		}
	}
	return nil
}
