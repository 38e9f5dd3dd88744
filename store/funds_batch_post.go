package store

import (
	"sort"
	"time"

	"github.com/shopspring/decimal"
)

// batchAccount is an account locked by a batch, with the balance its operations have left so far.
type batchAccount struct {
	ID        int64
	PartnerID int64
	Currency  string
	Locked    decimal.Decimal // the balance read under the lock
	Balance   decimal.Decimal
	changed   bool
}

// balanceRecord is an account's balance as the batch locked it and as the batch leaves it.
type balanceRecord struct {
	ID      int64           `json:"id"`
	Before  decimal.Decimal `json:"before"`
	Balance decimal.Decimal `json:"balance"`
}

// batchClock is what lockBatch reads once the batch holds its locks: the time of its movements and
// the ids reserved for them.
type batchClock struct {
	at  time.Time
	ids []int64
}

// next returns the next reserved movement id.
func (c *batchClock) next() int64 {
	id := c.ids[0]
	c.ids = c.ids[1:]
	return id
}

// postBatch applies the batch's postings one after the other to the balances of their accounts,
// locked by lockBatch, refusing a posting whose source does not cover it (7303). Each applied
// operation gets its movements, with ids reserved in order and the time at which the batch got its
// locks; it returns the balances to write.
func postBatch(batch []*batchItem, accounts map[int64]*batchAccount, clock *batchClock) ([]balanceRecord, error) {
	for _, it := range batch {
		if it.state != itemPosting {
			continue
		}
		movements, err := postInMemory(accounts, it.actor, it.posting, clock)
		if e, ok := AsError(err); ok {
			it.refuse(e)
			continue
		}
		if err != nil {
			return nil, err
		}
		it.state, it.result.movements = itemApplied, movements
	}
	var balances []balanceRecord
	for _, a := range accounts {
		if a.changed {
			balances = append(balances, balanceRecord{a.ID, a.Locked, a.Balance})
		}
	}
	sort.Slice(balances, func(i, j int) bool { return balances[i].ID < balances[j].ID })
	return balances, nil
}

// postInMemory applies p to the locked accounts and returns its movements, or refuses it as post
// would: an account that does not exist, another currency, or a source that does not cover the
// amount (7303). A refused posting changes nothing.
func postInMemory(accounts map[int64]*batchAccount, actor Actor, p Posting, clock *batchClock) ([]Movement, error) {
	sides, err := postingSides(p)
	if err != nil {
		return nil, err
	}
	after := make([]decimal.Decimal, len(sides))
	for i, s := range sides {
		a, ok := accounts[s.side.AccountID]
		if !ok {
			return nil, NotFound("account")
		}
		if after[i] = a.Balance.Add(s.delta); after[i].IsNegative() {
			return nil, insufficientFunds(p)
		}
	}
	for _, s := range sides {
		if a := accounts[s.side.AccountID]; a.Currency != p.Currency {
			return nil, otherCurrency(a.Currency)
		}
	}
	entry := newUUID()
	movements := make([]Movement, len(sides))
	for i, s := range sides {
		a := accounts[s.side.AccountID]
		a.Balance, a.changed = after[i], true
		movements[i] = Movement{ID: clock.next(), EntryID: entry, AccountID: a.ID, PartnerID: a.PartnerID,
			CardID: nullID(s.side.CardID), Type: s.side.Type, Direction: s.direction, Amount: p.Amount,
			Currency: a.Currency, BalanceAfter: after[i], CounterpartAccountID: otherAccount(s.other),
			CounterpartCardID: otherCard(s.other), Channel: p.Channel, Reference: p.Reference,
			Description: p.Description, CustomKeys: JSONB(p.CustomKeys), ActorType: actor.kind(),
			ActorID: actor.id(), ActorLabel: actor.Label, CreatedAt: clock.at}
	}
	return movements, nil
}
