package store

import (
	"strings"

	"github.com/lib/pq"
)

// Paging limits shared by every list.
const (
	DefaultLimit = 10
	MaxLimit     = 100
)

// Page is a 1-based page number and a page size.
type Page struct {
	Number int
	Limit  int
}

// NewPage clamps a requested page: numbers below 1 become 1, a missing limit becomes DefaultLimit and
// a limit above MaxLimit is capped.
func NewPage(number, limit int) Page {
	if number < 1 {
		number = 1
	}
	if limit < 1 {
		limit = DefaultLimit
	}
	if limit > MaxLimit {
		limit = MaxLimit
	}
	return Page{Number: number, Limit: limit}
}

// Offset is the number of rows before the page.
func (p Page) Offset() int { return (p.Number - 1) * p.Limit }

// escapeLike makes s match literally inside a LIKE pattern (with the default backslash escape).
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// likeContains is a pattern matching s anywhere.
func likeContains(s string) string { return "%" + escapeLike(s) + "%" }

// likePrefix is a pattern matching strings that start with s.
func likePrefix(s string) string { return escapeLike(s) + "%" }

// stringArray adapts a string slice to a PostgreSQL text[] parameter.
func stringArray(s []string) any { return pq.Array(s) }
