package views

import (
	"time"

	"cardconsole/store"
)

// CardLifeView is the card page's panel of the card's life: its history and the Cancel and
// Replace forms the operator may use.
type CardLifeView struct {
	PartnerID  int64
	HolderID   int64
	Card       store.Card
	History    []store.CardTransition
	TimeZone   string
	CanCancel  bool
	CanReplace bool
	NeedsOTP   bool
}

// CancelReasons are the reasons the forms offer.
func CancelReasons() []string { return store.CancelReasons }

// ReversalsView is the partner's reversal review queue, live.
type ReversalsView struct {
	Partner   store.Partner
	Items     []store.Reversal
	Viewer    int64 // the operator looking, who may not decide their own requests
	CanDecide bool
	Now       time.Time
}

// MayDecide reports whether the viewer may approve or reject the reversal.
func (v ReversalsView) MayDecide(r store.Reversal) bool {
	return v.CanDecide && r.Status == store.ReversalPending && r.RequestedBy != v.Viewer
}

// SearchGroupView is one group of the header search's dropdown.
type SearchGroupView struct {
	Label   string
	MoreURL string
	Items   []SearchHitView
}

// SearchHitView is one result of the dropdown.
type SearchHitView struct {
	Title, Subtitle, URL string
}
