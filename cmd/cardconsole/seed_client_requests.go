package main

import (
	"context"
	"encoding/json"
	"fmt"

	"cardconsole/store"
)

// demoResolutions are the reasons a demo checker can cite when rejecting.
var demoResolutions = []struct {
	typeID        int64
	name, text    string
	enabled       bool
	onlyFirstPart bool
}{
	{1, "Document unreadable", "The document you sent cannot be read; send a clearer copy.", true, false},
	{1, "Document expired", "The document you sent has expired.", true, false},
	{2, "Insufficient balance", "Your card does not hold enough for this operation.", true, false},
	{3, "Failed compliance check", "We cannot carry out this request.", true, false},
	{4, "Data does not match", "The data you sent does not match our records.", true, false},
	{5, "Duplicate request", "You already sent this request.", false, true},
}

// seedClientRequests loads resolutions for both partners and, on Quetzal Pay, tagged clients with a
// pending request of every type submitted by the maker, so the checker has a queue to work through.
func seedClientRequests(ctx context.Context, d *demo) error {
	for name, partnerID := range d.partners {
		for _, r := range demoResolutions {
			if r.onlyFirstPart && name != "Quetzal Pay" {
				continue
			}
			if _, err := d.st.CreateResolution(ctx, d.actor, store.SystemViewer(), store.ResolutionInput{PartnerID: partnerID,
				TypeID: r.typeID, Name: r.name, Text: r.text, Enabled: r.enabled}); err != nil {
				return err
			}
		}
	}
	partner := d.partners["Quetzal Pay"]
	clients, err := demoClients(ctx, d, partner)
	if err != nil {
		return err
	}
	for i, tag := range []string{"vip", "standard"} {
		if _, err := d.st.SetCardholderTags(ctx, d.actor, partner, clients[i].id, []string{tag}); err != nil {
			return err
		}
	}
	maker := store.Actor{Type: store.ActorOperator, OperatorID: d.operators["maker@demo.test"], Label: "maker@demo.test"}
	a, b := clients[0], clients[1]
	requests := []struct {
		client  int64
		typ     string
		payload map[string]any
		color   string
	}{
		{a.id, store.RequestDeposit, map[string]any{"cardId": a.cards[0], "amount": "150.00"}, ""},
		{a.id, store.RequestWithdrawal, map[string]any{"cardId": a.cards[0], "amount": "20.50"}, "#fbe1e3"},
		{a.id, store.RequestTransfer, map[string]any{"fromCardId": a.cards[0], "toCardId": a.cards[1], "amount": "10"}, ""},
		{b.id, store.RequestProfile, map[string]any{"phoneNumber": "50255559876", "maritalStatus": "casado"}, ""},
		{b.id, store.RequestAddress, map[string]any{"address": "6a Avenida 12-34, zona 1, Guatemala"}, ""},
		{b.id, store.RequestVerification, map[string]any{"documentReference": "DPI-2987 65432 0101"}, "#e1f0fb"},
		{a.id, store.RequestDocument, map[string]any{"documentReference": "PASSPORT-G1234567"}, ""},
		{b.id, store.RequestAccount, map[string]any{"reason": "open a savings account"}, ""},
		{a.id, store.RequestArchive, map[string]any{"reason": "close the old card"}, ""},
		{b.id, store.RequestClientType, map[string]any{"from": "individual", "to": "business"}, ""},
		{a.id, store.RequestExternal, map[string]any{"bank": "Banco Demo", "iban": "GT82TRAJ01020000001210029690"}, ""},
		{b.id, store.RequestInvestment, map[string]any{"product": "12-month deposit", "amount": 500}, ""},
		{a.id, store.RequestPartner, map[string]any{"program": "Andes Wallet"}, ""},
	}
	for _, r := range requests {
		payload, err := json.Marshal(r.payload)
		if err != nil {
			return err
		}
		if _, err := d.st.SubmitClientRequest(ctx, maker, store.SystemViewer(), store.NewClientRequest{ClientID: r.client,
			Type: r.typ, Payload: payload, Color: r.color}); err != nil {
			return fmt.Errorf("demo %s request: %w", r.typ, err)
		}
	}
	return nil
}

type demoClient struct {
	id    int64
	cards []int64
}

// demoClients returns the first two demo cardholders of the partner holding two ACTIVE cards (loaded
// by the card funds step, so their withdrawal and transfer can be approved).
func demoClients(ctx context.Context, d *demo, partnerID int64) ([]demoClient, error) {
	holders, _, err := d.st.ListCardholders(ctx, d.actor, store.CardholderFilter{PartnerID: partnerID, SortBy: "id",
		SortOrder: "asc", Page: store.NewPage(1, store.MaxLimit)})
	if err != nil {
		return nil, err
	}
	var out []demoClient
	for _, h := range holders {
		cards, err := d.st.OwnedCards(ctx, partnerID, h.ID)
		if err != nil {
			return nil, err
		}
		c := demoClient{id: h.ID}
		for _, card := range cards {
			if card.Status == store.CardActive {
				c.cards = append(c.cards, card.ID)
			}
		}
		if len(c.cards) >= 2 {
			out = append(out, c)
		}
		if len(out) == 2 {
			break
		}
	}
	if len(out) < 2 {
		return nil, fmt.Errorf("the demo needs two cardholders with two active cards on partner %d", partnerID)
	}
	return out, nil
}
