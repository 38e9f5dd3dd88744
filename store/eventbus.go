package store

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/lib/pq"
)

// eventBus is the instance's one listening connection, fanned out to its subscribers. It starts
// with the first subscription and stops when the store closes.
type eventBus struct {
	mu       sync.Mutex
	started  bool
	closed   bool
	listener *pq.Listener
	ready    chan struct{} // closed once LISTEN is active, or failed with readyErr
	readyErr error
	stop     chan struct{}
	done     chan struct{}
	subs     map[*Subscription]struct{}
}

// Subscription receives the live events its filter lets through. C is closed when the subscriber
// fell behind or the store closed: the stream should end, and its client reconnect and replay.
type Subscription struct {
	C      <-chan LiveEvent
	c      chan LiveEvent
	bus    *eventBus
	filter EventFilter
}

// subscriberBuffer is how many events a subscriber may have unread before it is dropped.
const subscriberBuffer = 256

// Timings of the listening connection.
const (
	listenerPing    = time.Minute // a ping notices a dead connection that TCP alone would not
	pruneInterval   = time.Hour
	catchUpBatch    = 500
	catchUpDeadline = 30 * time.Second
)

// Subscribe starts receiving live events that f lets through. It returns once this instance is
// listening, so an event committed afterwards is never missed; events committed before are read
// with EventsAfter.
func (s *Store) Subscribe(ctx context.Context, f EventFilter) (*Subscription, error) {
	b := &s.events
	ready, err := b.start(s)
	if err != nil {
		return nil, err
	}
	select {
	case <-ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.readyErr != nil {
		return nil, b.readyErr
	}
	if b.closed {
		return nil, errors.New("store: closed")
	}
	c := make(chan LiveEvent, subscriberBuffer)
	sub := &Subscription{C: c, c: c, bus: b, filter: f}
	b.subs[sub] = struct{}{}
	return sub, nil
}

// SetFilter replaces the subscription's filter, when the subscriber's grants changed.
func (sub *Subscription) SetFilter(f EventFilter) {
	sub.bus.mu.Lock()
	sub.filter = f
	sub.bus.mu.Unlock()
}

// Close ends the subscription; closing twice is harmless.
func (sub *Subscription) Close() {
	sub.bus.mu.Lock()
	defer sub.bus.mu.Unlock()
	sub.bus.drop(sub)
}

// drop removes a subscriber and closes its channel; the caller holds mu.
func (b *eventBus) drop(sub *Subscription) {
	if _, ok := b.subs[sub]; ok {
		delete(b.subs, sub)
		close(sub.c)
	}
}

// start opens the listening connection on first use and returns the channel closed when it is ready.
func (b *eventBus) start(s *Store) (<-chan struct{}, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, errors.New("store: closed")
	}
	if b.started {
		return b.ready, nil
	}
	if s.url == "" {
		return nil, errors.New("store: live events need a store made by Open, which knows the database URL")
	}
	b.started = true
	b.ready = make(chan struct{})
	b.stop = make(chan struct{})
	b.done = make(chan struct{})
	b.subs = map[*Subscription]struct{}{}
	b.listener = pq.NewListener(s.url, 100*time.Millisecond, 10*time.Second, nil)
	go b.run(s, b.listener)
	return b.ready, nil
}

// run listens, then delivers notifications until the store closes.
func (b *eventBus) run(s *Store, l *pq.Listener) {
	defer close(b.done)
	err := l.Listen(eventsChannel)
	var lastID int64
	if err == nil {
		err = s.db.Get(&lastID, `SELECT COALESCE(max(id), 0) FROM events`)
	}
	b.mu.Lock()
	b.readyErr = err
	b.mu.Unlock()
	close(b.ready)
	if err != nil {
		return
	}
	ping := time.NewTicker(listenerPing)
	defer ping.Stop()
	prune := time.NewTicker(pruneInterval)
	defer prune.Stop()
	for {
		select {
		case <-b.stop:
			return
		case n, ok := <-l.Notify:
			if !ok {
				return
			}
			if n == nil {
				// The connection was re-established: notifications sent meanwhile are lost, so read
				// what was committed since the last event seen.
				lastID = b.catchUp(s, lastID)
				continue
			}
			var ev LiveEvent
			if json.Unmarshal([]byte(n.Extra), &ev) != nil {
				continue
			}
			lastID = max(lastID, ev.ID)
			b.deliver(ev)
		case <-ping.C:
			go func() { _ = l.Ping() }()
		case <-prune.C:
			_, _ = s.PruneEvents(context.Background(), time.Now().Add(-EventRetention))
		}
	}
}

// catchUp delivers the events after lastID and returns the last id delivered.
func (b *eventBus) catchUp(s *Store, lastID int64) int64 {
	ctx, cancel := context.WithTimeout(context.Background(), catchUpDeadline)
	defer cancel()
	for {
		evs, err := s.allEventsAfter(ctx, lastID, catchUpBatch)
		if err != nil {
			return lastID
		}
		for _, ev := range evs {
			b.deliver(ev)
			lastID = ev.ID
		}
		if len(evs) < catchUpBatch {
			return lastID
		}
	}
}

// deliver hands the event to every subscriber whose filter lets it through. A subscriber whose
// buffer is full is dropped rather than allowed to hold up the others.
func (b *eventBus) deliver(ev LiveEvent) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for sub := range b.subs {
		if !sub.filter.Match(ev) {
			continue
		}
		select {
		case sub.c <- ev:
		default:
			b.drop(sub)
		}
	}
}

// close stops the listener and ends every subscription.
func (b *eventBus) close() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.closed = true
	started := b.started
	b.mu.Unlock()
	if !started {
		return
	}
	close(b.stop)
	_ = b.listener.Close() // also unblocks a Listen still waiting for the database
	<-b.done
	b.mu.Lock()
	for sub := range b.subs {
		b.drop(sub)
	}
	b.mu.Unlock()
}
