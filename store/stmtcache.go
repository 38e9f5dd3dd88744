package store

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"

	"github.com/lib/pq"
)

// stmtCacheSize bounds the statements kept prepared on one connection; the least recently used one
// is closed when a new one needs the room. The store has a few hundred distinct statements, so in
// practice every one stays prepared.
const stmtCacheSize = 512

// cachingConnector prepares every parameterised statement once per connection and reuses it, as
// pgx does by default. lib/pq sends an unprepared statement as Parse/Describe, waits, then
// Bind/Execute, waits: two round trips, and PostgreSQL parses and plans the text every time. A
// prepared one is one round trip (Bind/Execute) and PostgreSQL keeps its plan; planning was most of
// the server's time on the funds path (docs/performance-funds.md). Statements without arguments
// still go through the simple protocol (one round trip, nothing to prepare).
type cachingConnector struct {
	driver.Connector
	size int // statements kept per connection
}

func (c cachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	pc, ok := conn.(pqConn)
	if !ok {
		_ = conn.Close()
		return nil, errors.New("store: the driver's connection does not support contexts")
	}
	return &cachingConn{pqConn: pc, size: c.size, stmts: map[string]*list.Element{}, lru: list.New()}, nil
}

// pqConn is what lib/pq's connection implements and cachingConn passes through.
type pqConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.QueryerContext
	driver.ExecerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
	driver.NamedValueChecker
}

// preparedStmt is lib/pq's prepared statement.
type preparedStmt interface {
	driver.Stmt
	driver.StmtQueryContext
	driver.StmtExecContext
}

type cachedStmt struct {
	query string
	stmt  preparedStmt
}

// cachingConn is one connection with its prepared statements. database/sql never uses a
// connection from two goroutines at once, so it needs no lock.
type cachingConn struct {
	pqConn
	size   int
	stmts  map[string]*list.Element // query text → element of lru holding a *cachedStmt
	lru    *list.List               // most recently used first
	inTx   bool                     // a transaction is open
	txDone <-chan struct{}          // the Done channel of the open transaction's context, if any
}

// BeginTx remembers the transaction's context: lib/pq watches it for the whole transaction (it
// cancels the running statement and drops the connection when it is done), so statements under
// the same context need no watcher of their own (unwatched).
func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.pqConn.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	c.inTx, c.txDone = true, ctx.Done()
	return endingTx{Tx: tx, conn: c}, nil
}

// endingTx forgets the transaction when it ends.
type endingTx struct {
	driver.Tx
	conn *cachingConn
}

func (t endingTx) Commit() error {
	t.conn.inTx, t.conn.txDone = false, nil
	return t.Tx.Commit()
}

func (t endingTx) Rollback() error {
	t.conn.inTx, t.conn.txDone = false, nil
	return t.Tx.Rollback()
}

// unwatched drops the cancellation of a statement's context when the open transaction's watcher
// already covers it (the same Done channel). lib/pq otherwise starts a goroutine per statement to
// watch the context, and handing work to it and back costs more CPU than the round trip itself.
func (c *cachingConn) unwatched(ctx context.Context) context.Context {
	if done := ctx.Done(); done != nil && done == c.txDone {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if len(args) == 0 {
		return c.pqConn.QueryContext(ctx, query, args)
	}
	run := func() (driver.Rows, error) {
		st, err := c.prepared(ctx, query)
		if err != nil {
			return nil, err
		}
		return st.QueryContext(c.unwatched(ctx), args)
	}
	rows, err := run()
	if c.forgetIfStale(query, err) && !c.inTx {
		rows, err = run()
	}
	return rows, err
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if len(args) == 0 {
		return c.pqConn.ExecContext(ctx, query, args)
	}
	run := func() (driver.Result, error) {
		st, err := c.prepared(ctx, query)
		if err != nil {
			return nil, err
		}
		return st.ExecContext(c.unwatched(ctx), args)
	}
	res, err := run()
	if c.forgetIfStale(query, err) && !c.inTx {
		res, err = run()
	}
	return res, err
}

// prepared returns the connection's prepared statement for query, preparing it on first use.
func (c *cachingConn) prepared(ctx context.Context, query string) (preparedStmt, error) {
	if e, ok := c.stmts[query]; ok {
		c.lru.MoveToFront(e)
		return e.Value.(*cachedStmt).stmt, nil
	}
	s, err := c.pqConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	st, ok := s.(preparedStmt)
	if !ok {
		_ = s.Close()
		return nil, errors.New("store: the driver's statement cannot run with a context")
	}
	if c.lru.Len() >= c.size {
		c.drop(c.lru.Back())
	}
	c.stmts[query] = c.lru.PushFront(&cachedStmt{query: query, stmt: st})
	return st, nil
}

// forgetIfStale drops a statement that PostgreSQL refused because the schema changed under it:
// its result columns changed (0A000, "cached plan must not change result type") or it no longer
// exists (26000). It reports whether it did: outside a transaction the refused statement changed
// nothing, so the caller prepares it again and reruns it; inside one the transaction has failed
// and the error is the caller's.
func (c *cachingConn) forgetIfStale(query string, err error) bool {
	var pqErr *pq.Error
	if err == nil || !errors.As(err, &pqErr) || (pqErr.Code != "0A000" && pqErr.Code != "26000") {
		return false
	}
	e, ok := c.stmts[query]
	if !ok {
		return false
	}
	c.drop(e)
	return true
}

func (c *cachingConn) drop(e *list.Element) {
	cs := c.lru.Remove(e).(*cachedStmt)
	delete(c.stmts, cs.query)
	_ = cs.stmt.Close()
}
