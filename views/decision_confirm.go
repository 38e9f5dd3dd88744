package views

import (
	"context"

	"cardconsole/store"
	"cardconsole/web/i18n"
)

// ApproveConfirm is the question asked before approving a request that moves money, with the amount
// and where it goes; empty for a request that moves none, which is approved without a question.
func ApproveConfirm(ctx context.Context, r store.ClientRequest) string {
	if !r.Amount.Valid || r.Currency == nil {
		return ""
	}
	data := map[string]any{"ID": r.ID, "Amount": Money(r.Amount.Decimal, *r.Currency), "Client": r.ClientName}
	switch r.Type {
	case store.RequestDeposit:
		return i18n.T(ctx, "decision.confirm_deposit", data)
	case store.RequestWithdrawal:
		return i18n.T(ctx, "decision.confirm_withdrawal", data)
	case store.RequestTransfer:
		return i18n.T(ctx, "decision.confirm_transfer", data)
	}
	return ""
}
