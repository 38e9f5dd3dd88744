package web

import (
	"database/sql/driver"
	"errors"
	"net"
	"syscall"

	"github.com/lib/pq"
)

// retryAfterSeconds is the Retry-After of a 503: long enough for a database failover.
const retryAfterSeconds = "5"

// databaseUnreachable reports an error that says the database could not be reached or dropped the
// connection (refused, reset, shutting down, too many clients), as opposed to a fault of the
// request or of the code: a client should try again, so it is a 503 and not a 500.
func databaseUnreachable(err error) bool {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		switch {
		case pqErr.Code.Class() == "08", // connection exception
			pqErr.Code.Class() == "53",                                          // insufficient resources (too many connections)
			pqErr.Code == "57P01", pqErr.Code == "57P02", pqErr.Code == "57P03": // shutdown, crash, starting up
			return true
		}
		return false
	}
	var opErr *net.OpError
	return errors.Is(err, driver.ErrBadConn) || errors.As(err, &opErr) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET)
}
