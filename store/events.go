package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// LiveEvent is a change that screens and API streams show as it happens: a row of the events table,
// written in the transaction of the change and announced to every instance at commit.
type LiveEvent struct {
	ID        int64     `db:"id" json:"id"`
	PartnerID int64     `db:"partner_id" json:"partnerId"`
	Topic     string    `db:"topic" json:"topic"`
	Payload   JSONB     `db:"payload" json:"payload"`
	CreatedAt time.Time `db:"created_at" json:"createdAt"`
}

// EventFilter selects the events a subscriber may see: those of its partners whose topic starts
// with TopicPrefix (every topic when it is empty).
type EventFilter struct {
	PartnerIDs  []int64
	TopicPrefix string
}

// Match reports whether the filter lets the event through.
func (f EventFilter) Match(ev LiveEvent) bool {
	return slices.Contains(f.PartnerIDs, ev.PartnerID) && strings.HasPrefix(ev.Topic, f.TopicPrefix)
}

// EventRetention is how long events are kept for replay. A client that reconnects later than this
// starts from the present; the audit log keeps the permanent record of every change.
const EventRetention = 24 * time.Hour

// eventsChannel is the NOTIFY channel of live events.
const eventsChannel = "cardconsole_events"

// maxEventPayload keeps an event's notification well under PostgreSQL's 8000-byte NOTIFY limit:
// events carry summaries that screens use to refresh, never documents.
const maxEventPayload = 4000

// publish records an event in tx and announces it; PostgreSQL delivers the notification only if and
// when tx commits, so a rolled-back change is never announced.
func publish(ctx context.Context, tx *sqlx.Tx, partnerID int64, topic string, payload any) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("store: unable to encode event %s: %w", topic, err)
	}
	if len(b) > maxEventPayload {
		return fmt.Errorf("store: event %s has a %d-byte payload; the limit is %d", topic, len(b), maxEventPayload)
	}
	_, err = tx.ExecContext(ctx, `
		WITH ev AS (
		    INSERT INTO events (partner_id, topic, payload) VALUES ($1, $2, $3)
		    RETURNING id, partner_id, topic, payload, created_at
		)
		SELECT pg_notify($4, json_build_object('id', id, 'partnerId', partner_id, 'topic', topic,
		                                       'payload', payload, 'createdAt', created_at)::text)
		FROM ev`, partnerID, topic, b, eventsChannel)
	if err != nil {
		return fmt.Errorf("store: unable to publish event %s: %w", topic, err)
	}
	return nil
}

// EventsAfter returns up to limit events that f lets through with an id above afterID, oldest first:
// the replay of a stream that reconnects with Last-Event-ID.
func (s *Store) EventsAfter(ctx context.Context, f EventFilter, afterID int64, limit int) ([]LiveEvent, error) {
	var out []LiveEvent
	err := s.db.SelectContext(ctx, &out, `
		SELECT id, partner_id, topic, payload, created_at FROM events
		WHERE id > $1 AND partner_id = ANY($2) AND topic LIKE $3
		ORDER BY id LIMIT $4`, afterID, pq.Array(f.PartnerIDs), likePrefix(f.TopicPrefix), limit)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read events: %w", err)
	}
	return out, nil
}

// allEventsAfter returns every partner's events above afterID, for an instance catching up after
// its listening connection was lost.
func (s *Store) allEventsAfter(ctx context.Context, afterID int64, limit int) ([]LiveEvent, error) {
	var out []LiveEvent
	err := s.db.SelectContext(ctx, &out, `
		SELECT id, partner_id, topic, payload, created_at FROM events WHERE id > $1 ORDER BY id LIMIT $2`, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read events: %w", err)
	}
	return out, nil
}

// PruneEvents deletes the events created before the given time and says how many went.
func (s *Store) PruneEvents(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM events WHERE created_at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("store: unable to prune events: %w", err)
	}
	return res.RowsAffected()
}
