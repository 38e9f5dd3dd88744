package main

import (
	"bytes"
	"context"

	"cardconsole/store"
	"cardconsole/views/pdf"
)

// seedTopUps gives both demo partners an approved top-up, made by one operator and approved by
// another through the store as the console would, so that their balances are not zero; and leaves
// one top-up of Quetzal Pay waiting in the checker's queue. The checker reviews for both partners.
func seedTopUps(ctx context.Context, d *demo) error {
	if err := d.st.Grant(ctx, d.actor, d.operators["checker@demo.test"], d.partners["Andes Wallet"], []string{"checker"}, nil); err != nil {
		return err
	}
	topUps := []struct {
		partner, maker, checker, amount, note string
	}{
		{"Quetzal Pay", "maker@demo.test", "checker@demo.test", "250000.00", "Opening float: wire transfer from the program sponsor"},
		{"Andes Wallet", "admin@demo.test", "checker@demo.test", "100000.00", "Opening float: wire transfer from the program sponsor"},
		{"Quetzal Pay", "maker@demo.test", "", "15000.00", "Second wire transfer of the month, waiting for review"},
	}
	for _, tu := range topUps {
		receipt, err := demoReceipt(tu.partner, tu.amount)
		if err != nil {
			return err
		}
		kind, _ := store.EvidenceType(receipt)
		pr, err := d.st.CreateProcessRequest(ctx, d.operatorActor(tu.maker), d.st.Blobs(), store.NewProcessRequest{
			PartnerID: d.partners[tu.partner], Amount: tu.amount, Observations: tu.note,
			FileName: "deposit-receipt.pdf", Kind: kind, Evidence: bytes.NewReader(receipt)})
		if err != nil {
			return err
		}
		if tu.checker != "" {
			if _, err := d.st.DecideProcessRequest(ctx, d.operatorActor(tu.checker), pr.PartnerID, pr.ID, store.Approve); err != nil {
				return err
			}
		}
	}
	return nil
}

// operatorActor is a demo operator acting in the console.
func (d *demo) operatorActor(email string) store.Actor {
	return store.Actor{Type: store.ActorOperator, OperatorID: d.operators[email], Label: email, RequestID: "demo-seed"}
}

// demoReceipt is a one-page PDF deposit slip.
func demoReceipt(partner, amount string) ([]byte, error) {
	return pdf.Note("Deposit receipt (demo)", "Beneficiary: "+partner, "Amount: "+amount, "Reference: DEMO-"+partner[:3])
}
