package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Channels of a card transition: the console and the CMS API, or the system (commands, seeds).
const (
	ChannelSystem = "SYSTEM"
)

// CardTransition is one status change of a card: the card's history, kept with the reason and the
// channel it came through.
type CardTransition struct {
	ID         int64     `db:"id" json:"id"`
	CardID     int64     `db:"card_id" json:"cardId"`
	PartnerID  int64     `db:"partner_id" json:"-"`
	From       string    `db:"from_status" json:"fromStatus"`
	To         string    `db:"to_status" json:"toStatus"`
	Reason     string    `db:"reason" json:"reason"`
	Channel    string    `db:"channel" json:"channel"`
	ActorLabel string    `db:"actor_label" json:"actor"`
	At         time.Time `db:"at" json:"at"`
}

// channelOf is the channel of an actor's card transitions.
func channelOf(actor Actor) string {
	if actor.Type == ActorOperator {
		return ChannelCMS
	}
	return ChannelSystem
}

// writeCardHistory records a transition in the transaction that made it.
func writeCardHistory(ctx context.Context, tx *sqlx.Tx, actor Actor, t CardTransition) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO card_history (card_id, partner_id, from_status, to_status, reason, channel, actor_type, actor_id, actor_label)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		t.CardID, t.PartnerID, t.From, t.To, t.Reason, t.Channel, actor.kind(), actor.id(), actor.Label)
	if err != nil {
		return fmt.Errorf("store: unable to write card history: %w", err)
	}
	return nil
}

// CardHistory lists a card's transitions, oldest first. The caller has checked that the card is
// the partner's (and the cardholder's).
func (s *Store) CardHistory(ctx context.Context, partnerID, cardID int64) ([]CardTransition, error) {
	out := []CardTransition{}
	err := s.db.SelectContext(ctx, &out, `SELECT id, card_id, partner_id, from_status, to_status, reason, channel,
		actor_label, at FROM card_history WHERE card_id = $1 AND partner_id = $2 ORDER BY at, id`, cardID, partnerID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list card history: %w", err)
	}
	return out, nil
}
