package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// ChannelClientRequest marks the movements of approved client requests.
const ChannelClientRequest = "CLIENT_REQUEST"

// applyFunds moves the money of an approved deposit (partner balance → card), withdrawal (card →
// partner balance) or transfer (card → card of the same client) through the funds operations, in
// the approval's transaction. The cards must still be the client's and ACTIVE; a short source is
// 7303 and rolls the approval back.
func applyFunds(ctx context.Context, tx *sqlx.Tx, actor Actor, r ClientRequest) (any, error) {
	var p struct {
		CardID     int64 `json:"cardId"`
		FromCardID int64 `json:"fromCardId"`
		ToCardID   int64 `json:"toCardId"`
	}
	if err := json.Unmarshal(r.Payload, &p); err != nil {
		return nil, fmt.Errorf("store: unable to read payload of request %d: %w", r.ID, err)
	}
	if !r.Amount.Valid || r.Currency == nil {
		return nil, fmt.Errorf("store: money request %d has no amount", r.ID)
	}
	op := FundsOp{PartnerID: r.PartnerID, CardholderID: r.ClientID, CardID: p.CardID, Amount: r.Amount.Decimal,
		Currency: *r.Currency, Channel: ChannelClientRequest, Reference: fmt.Sprintf("client-request-%d", r.ID),
		Description: fmt.Sprintf("Client request #%d (%s)", r.ID, r.Type)}
	var moves []Movement
	var err error
	switch r.Type {
	case RequestDeposit:
		moves, err = addFundsTx(ctx, tx, actor, op)
	case RequestWithdrawal:
		moves, err = withdrawFundsTx(ctx, tx, actor, op)
	case RequestTransfer:
		moves, err = transferTx(ctx, tx, actor, TransferOp{PartnerID: r.PartnerID, CardholderID: r.ClientID,
			FromCardID: p.FromCardID, ToCardID: p.ToCardID, Amount: r.Amount.Decimal, Description: op.Description})
	}
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(moves))
	for i, m := range moves {
		ids[i] = m.ID
	}
	return map[string]any{"movements": ids, "amount": r.Amount.Decimal, "currency": *r.Currency}, nil
}
