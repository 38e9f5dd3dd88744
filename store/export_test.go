package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
)

// ForceSearchStrategy makes every search of this store collect its matches (or walk the sort's
// index), and returns a function that restores the choice by cost.
func (s *Store) ForceSearchStrategy(collect bool) (restore func()) {
	s.searchStrategy = func(int, int, Page) bool { return collect }
	return func() { s.searchStrategy = nil }
}

// OpenWithStatementCache is Open keeping at most n prepared statements per connection.
func OpenWithStatementCache(ctx context.Context, url string, n int) (*Store, error) {
	return open(ctx, url, n)
}

// PostTx runs one posting in a transaction of its own, for tests of the ledger's edge cases.
func (s *Store) PostTx(ctx context.Context, actor Actor, p Posting) ([]Movement, error) {
	var movements []Movement
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		movements, err = post(ctx, tx, actor, p)
		return err
	})
	return movements, err
}

// SetTokenClock sets the clock of the application token cache.
func (s *Store) SetTokenClock(now func() time.Time) { s.appTokens.now = now }

// AppTokenCacheFor is how long an application token's principal is kept.
const AppTokenCacheFor = appTokenCacheFor

// BatchOp is one operation of ApplyInOneBatch; Once and Reply are set for a keyed operation.
type BatchOp struct {
	Op    Operation
	Once  *Once
	Reply Replier
}

// BatchOutcome is what the caller of one operation of ApplyInOneBatch is told.
type BatchOutcome struct {
	Movements []Movement
	Reply     Reply
	Replayed  bool
	Err       error
}

// ApplyInOneBatch applies ops in one batch, as the funds queue does with operations that arrive
// together, and returns their outcomes in order.
func (s *Store) ApplyInOneBatch(actor Actor, ops []BatchOp) []BatchOutcome {
	return s.ApplyInOneBatchBegun(actor, ops, nil)
}

// ApplyInOneBatchBegun is ApplyInOneBatch in a transaction begun already, as the funds queue begins
// the next batch's transaction before it answers the current one.
func (s *Store) ApplyInOneBatchBegun(actor Actor, ops []BatchOp, begun *sqlx.Tx) []BatchOutcome {
	items := make([]*batchItem, len(ops))
	for i, o := range ops {
		items[i] = &batchItem{ctx: context.Background(), actor: actor, op: o.Op, once: o.Once, reply: o.Reply}
	}
	s.applyBatch(items, begun)
	out := make([]BatchOutcome, len(items))
	for i, it := range items {
		r := it.result
		out[i] = BatchOutcome{Movements: r.movements, Reply: r.reply, Replayed: r.replayed, Err: r.err}
	}
	return out
}
