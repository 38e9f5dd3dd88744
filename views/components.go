package views

import (
	"net/url"
	"strconv"
)

// Pager is the state of a paginated list, for the Pagination component.
type Pager struct {
	Page   int
	Limit  int
	Total  int
	Path   string     // the list's URL path
	Query  url.Values // the list's other query parameters (filters, sort)
	Target string     // the id of the element a page replaces
}

// Pages is the number of pages.
func (p Pager) Pages() int {
	if p.Limit <= 0 || p.Total == 0 {
		return 1
	}
	return (p.Total + p.Limit - 1) / p.Limit
}

// URL is the address of page n with the same filters.
func (p Pager) URL(n int) string {
	q := url.Values{}
	for k, v := range p.Query {
		q[k] = v
	}
	q.Set("page", strconv.Itoa(n))
	q.Set("limit", strconv.Itoa(p.Limit))
	return p.Path + "?" + q.Encode()
}

// First is the number of the first row shown.
func (p Pager) First() int {
	if p.Total == 0 {
		return 0
	}
	return (p.Page-1)*p.Limit + 1
}

// Last is the number of the last row shown.
func (p Pager) Last() int { return min(p.Page*p.Limit, p.Total) }

// SortLink is a sortable column header's state.
type SortLink struct {
	Label  string
	Column string
	Sort   string // the current sort column
	Order  string // asc or desc
}

// NextOrder is the order a click on the header asks for.
func (s SortLink) NextOrder() string {
	if s.Sort == s.Column && s.Order == "asc" {
		return "desc"
	}
	return "asc"
}

// Arrow marks the column the list is sorted by.
func (s SortLink) Arrow() string {
	if s.Sort != s.Column {
		return ""
	}
	if s.Order == "desc" {
		return " ↓"
	}
	return " ↑"
}

// AriaSort is the header's aria-sort value.
func (s SortLink) AriaSort() string {
	switch {
	case s.Sort != s.Column:
		return "none"
	case s.Order == "desc":
		return "descending"
	}
	return "ascending"
}
