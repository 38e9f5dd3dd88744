package store

import (
	"context"
	"errors"
	"sync"

	"github.com/jmoiron/sqlx"
)

// maxBatch bounds the operations applied in one transaction.
const maxBatch = 64

// errStoreClosed answers an operation submitted after the store was closed.
var errStoreClosed = errors.New("store: closed")

// fundsQueue hands funds operations to the one goroutine that applies them, in batches: whatever
// arrived while the previous batch ran is applied in the next transaction (group commit). Each
// operation keeps its own outcome, so a refusal of one never touches another; the batch only shares
// the transaction's round trips and its commit. The zero value is ready; it starts on first use.
type fundsQueue struct {
	start, stop sync.Once
	items       chan *batchItem
	stopping    chan struct{} // closed by close
	stopped     chan struct{} // closed when the worker has answered everything it took
}

// batchItem is one operation waiting for, then applied in, a batch.
type batchItem struct {
	ctx   context.Context // the submitter's: an operation whose caller gave up before its batch is skipped
	actor Actor
	op    Operation
	once  *Once   // nil when the operation has no idempotency key
	reply Replier // with once: the reply to keep
	done  chan batchResult

	used bool // its key was found used: the batch answers it with the kept reply

	// Set while the batch runs; reset when its transaction is retried.
	state   itemState
	result  batchResult
	cards   map[int64]fundsCard // the operation's cards, read under FOR SHARE
	posting Posting             // with itemPosting: the money to move
}

// itemState is how far an operation got in its batch.
type itemState int

const (
	itemOpen     itemState = iota // to be applied
	itemUnseen                    // one of its cards does not exist for the caller: 7200, not kept
	itemReplayed                  // answered from its key's kept reply, or 7006
	itemRefused                   // refused by a business rule: result.err
	itemPosting                   // its posting is checked against its cards and waits for its accounts
	itemApplied                   // posted: result.movements
)

// batchResult is the outcome of one operation.
type batchResult struct {
	movements []Movement
	reply     Reply
	replayed  bool
	err       error
}

// submit queues it and waits for its outcome. Once the operation is in a batch, its outcome is
// awaited even if the caller's context ends, so what the caller is told is what happened.
func (s *Store) submit(it *batchItem) batchResult {
	q := &s.funds
	q.start.Do(func() {
		q.items = make(chan *batchItem, maxBatch)
		q.stopping = make(chan struct{})
		q.stopped = make(chan struct{})
		go s.runBatches()
	})
	if q.items == nil {
		return batchResult{err: errStoreClosed}
	}
	it.done = make(chan batchResult, 1)
	select {
	case q.items <- it:
	case <-q.stopping:
		return batchResult{err: errStoreClosed}
	case <-it.ctx.Done():
		return batchResult{err: it.ctx.Err()}
	}
	select {
	case r := <-it.done:
		return r
	case <-q.stopped:
		select {
		case r := <-it.done:
			return r
		default:
			return batchResult{err: errStoreClosed}
		}
	}
}

// close stops the worker after its current batch and answers what is still queued.
func (q *fundsQueue) close() {
	q.start.Do(func() {}) // a queue never started stays so
	q.stop.Do(func() {
		if q.stopping != nil {
			close(q.stopping)
			<-q.stopped
		}
	})
}

// runBatches applies batches until the store closes. An operation whose key is already in the
// forming batch waits for the next one, so it reads the first one's committed reply. When more
// operations are waiting once a batch has committed, the next batch's transaction is begun before
// the operations of this one are answered: answering wakes their callers, and the BEGIN would
// otherwise wait behind them.
func (s *Store) runBatches() {
	q := &s.funds
	defer close(q.stopped)
	var waiting []*batchItem
	var begun *sqlx.Tx
	for {
		if len(waiting) == 0 {
			select {
			case it := <-q.items:
				waiting = append(waiting, it)
			case <-q.stopping:
				if begun != nil {
					_ = begun.Rollback()
				}
				for {
					select {
					case it := <-q.items:
						it.done <- batchResult{err: errStoreClosed}
					default:
						return
					}
				}
			}
		}
		var batch []*batchItem
		batch, waiting = nextBatch(waiting, q.items)
		if len(batch) == 0 {
			if begun != nil { // every waiting caller gave up: no transaction is left open while idle
				_ = begun.Rollback()
				begun = nil
			}
			continue
		}
		s.applyBatch(batch, begun)
		begun = nil
		if len(waiting) > 0 || len(q.items) > 0 {
			begun, _ = s.db.BeginTxx(context.Background(), nil) // on failure the batch begins its own
		}
		for _, it := range batch {
			it.done <- it.result
		}
	}
}

// nextBatch takes the waiting operations, then those queued, up to maxBatch and one per key; it
// returns the batch and what must wait for a later one. An operation whose caller has given up is
// answered with its context's error and dropped.
func nextBatch(waiting []*batchItem, queue <-chan *batchItem) (batch, later []*batchItem) {
	keys := map[string]bool{}
	take := func(it *batchItem) {
		if err := it.ctx.Err(); err != nil {
			it.done <- batchResult{err: err}
			return
		}
		if it.once != nil {
			k := it.once.Scope + "\x00" + it.once.Key
			if keys[k] || len(batch) == maxBatch {
				later = append(later, it)
				return
			}
			keys[k] = true
		} else if len(batch) == maxBatch {
			later = append(later, it)
			return
		}
		batch = append(batch, it)
	}
	for _, it := range waiting {
		take(it)
	}
	for taken := 0; len(batch) < maxBatch && taken < 2*maxBatch; taken++ {
		select {
		case it := <-queue:
			take(it)
		default:
			return batch, later
		}
	}
	return batch, later
}
