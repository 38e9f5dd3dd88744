package views

import (
	"net/url"
	"strconv"

	"cardconsole/store"
)

// DashboardView is the start page: the client requests waiting across the operator's partners and,
// for each partner, its balance and its work. Each part is there only when the operator's grants
// (and tag restrictions) let them open the list it links to.
type DashboardView struct {
	Partners        []PartnerWorkView
	SeesRequests    bool // approvals:list on at least one partner
	PendingRequests int  // up to store.BellCap+1
}

// PartnerWorkView is one partner on the dashboard.
type PartnerWorkView struct {
	store.PartnerSummary
	Work        store.PartnerWork
	ShowTopUps  bool // balance-management:list
	ShowToday   bool // card-movements:list, without tag restrictions (the figures span every cardholder)
	LinkToday   bool // audit-log:list: the day's loads and unloads link to the audit log
	ShowBatches bool // may open the bulk page
}

// PendingRequestsURL is the client requests queue showing the pending ones.
func PendingRequestsURL() string {
	return WithQuery(RequestsPath, url.Values{"filter[statusId]": {strconv.Itoa(store.StatusPending)}})
}

// AuditActionURL is the audit log of one partner filtered to one action, newest first.
func AuditActionURL(partnerID int64, action string) string {
	return WithQuery("/cms/rest/app/audit", url.Values{"partnerId": {ID(partnerID)}, "action": {action}})
}

// WorkCount writes a dashboard count: the number, or "99+" beyond store.WorkCap.
func WorkCount(n int) string {
	if n > store.WorkCap {
		return strconv.Itoa(store.WorkCap) + "+"
	}
	return strconv.Itoa(n)
}
