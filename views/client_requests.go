package views

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"cardconsole/store"
)

// RequestsPath is the queue's path: the applications API serves the console's pages too.
const RequestsPath = "/api/v2/applications"

// RequestURL is the console page (and API resource) of a request.
func RequestURL(id int64) string { return RequestsPath + "/" + strconv.FormatInt(id, 10) }

// RequestsFilter is the queue's filter form as the operator filled it in.
type RequestsFilter struct {
	ID       string
	ClientID string
	Client   string
	Type     string
	Status   string // a status id, or "all"
	DateFrom string
	DateTo   string
	Sort     string
}

// RequestsView is the queue: filters, a page of requests and the links built from the filters.
type RequestsView struct {
	Requests  []store.ClientRequest
	Filter    RequestsFilter
	Pager     Pager
	ExportURL string
	CanSubmit bool
	Errors    map[string]string
}

// ExportXLSXURL is the XLSX download of the queue as filtered and sorted: ExportURL's twin.
func (vm RequestsView) ExportXLSXURL() string {
	q := url.Values{"format": {"xlsx"}}
	for k, v := range vm.Pager.Query {
		q[k] = v
	}
	return WithQuery(RequestsPath+"/export", q)
}

// ErrorList is the filters' errors in a stable order.
func (vm RequestsView) ErrorList() []PayloadField {
	out := make([]PayloadField, 0, len(vm.Errors))
	for k, v := range vm.Errors {
		out = append(out, PayloadField{Key: k, Value: v})
	}
	slices.SortFunc(out, func(a, b PayloadField) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// SortLink returns the header link state of a sortable column.
func (vm RequestsView) SortLink(label, column string) SortLink {
	order := "asc"
	sort := vm.Filter.Sort
	if strings.HasPrefix(sort, "-") {
		order, sort = "desc", sort[1:]
	}
	return SortLink{Label: label, Column: column, Sort: sort, Order: order}
}

// SortURL is the queue's address sorted by the column in the order a click asks for.
func (vm RequestsView) SortURL(s SortLink) string {
	q := vm.Pager.Query
	sort := s.Column
	if s.NextOrder() == "desc" {
		sort = "-" + sort
	}
	out := make(map[string][]string, len(q))
	for k, v := range q {
		out[k] = v
	}
	out["sort"] = []string{sort}
	return WithQuery(RequestsPath, out)
}

// RequestTypeLabel names a request type for people.
func RequestTypeLabel(t string) string {
	switch t {
	case store.RequestClientType:
		return "Client type"
	case store.RequestWithdrawal:
		return "Withdrawal"
	}
	if t == "" {
		return ""
	}
	return strings.ToUpper(t[:1]) + t[1:]
}

// RequestStatusLabel names a status for people.
func RequestStatusLabel(id int) string {
	switch id {
	case store.StatusPending:
		return "Pending"
	case store.StatusApproved:
		return "Approved"
	case store.StatusRejected:
		return "Rejected"
	case store.StatusInProgress:
		return "In progress"
	case store.StatusNew:
		return "New"
	}
	return strconv.Itoa(id)
}

// RequestAmount shows a money request's amount, or nothing.
func RequestAmount(r store.ClientRequest) string {
	if !r.Amount.Valid {
		return ""
	}
	cur := ""
	if r.Currency != nil {
		cur = " " + *r.Currency
	}
	return Amount(r.Amount.Decimal) + cur
}

// RequestText is a one-line description of a request: the notification text.
func RequestText(r store.ClientRequest) string {
	switch r.Type {
	case store.RequestDeposit:
		return fmt.Sprintf("Deposit request %s from %s", RequestAmount(r), r.ClientName)
	case store.RequestWithdrawal:
		return fmt.Sprintf("Withdrawal request %s from %s", RequestAmount(r), r.ClientName)
	case store.RequestTransfer:
		return fmt.Sprintf("Transfer request %s between the cards of %s", RequestAmount(r), r.ClientName)
	case store.RequestProfile, store.RequestAddress:
		return fmt.Sprintf("%s change request from %s", RequestTypeLabel(r.Type), r.ClientName)
	}
	return fmt.Sprintf("%s request from %s", RequestTypeLabel(r.Type), r.ClientName)
}

// rowStyle tints a row with the request's highlight colour.
func rowStyle(r store.ClientRequest) string {
	if r.Color == nil {
		return ""
	}
	return "background-color: " + *r.Color
}

func colorValue(r store.ClientRequest) string {
	if r.Color == nil {
		return "#ffffff"
	}
	return *r.Color
}

// PayloadField is one line of a request's payload, for people.
type PayloadField struct {
	Key   string
	Value string
}

// PayloadFields lists a payload's fields in a stable order.
func PayloadFields(raw json.RawMessage) []PayloadField {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]PayloadField, 0, len(keys))
	for _, k := range keys {
		var v string
		switch x := m[k].(type) {
		case string:
			v = x
		default:
			b, _ := json.Marshal(x)
			v = string(b)
		}
		out = append(out, PayloadField{Key: k, Value: v})
	}
	return out
}

// RequestDetailView is a request's review page.
type RequestDetailView struct {
	Detail      store.RequestDetail
	Resolutions []store.Resolution // enabled resolutions of the request's partner
	CanUpdate   bool               // the operator holds approvals:update on the partner
	OwnRequest  bool               // the operator submitted it, so may not decide it
	Audit       *store.RequestAudit
	Errors      map[string]string
	Notice      string // a success message after a decision
}

// Decidable reports whether the page offers approve and reject.
func (vm RequestDetailView) Decidable() bool {
	return vm.CanUpdate && !vm.OwnRequest && vm.Detail.Undecided()
}

// HistoryLine describes an audit entry of a request's history.
func HistoryLine(e store.AuditEntry) string {
	switch e.Action {
	case "client_request.submit":
		return "submitted"
	case "client_request.approve":
		return "approved"
	case "client_request.reject":
		return "rejected" + historyDetail(e, "resolution")
	case "client_request.color":
		return "changed the highlight" + historyDetail(e, "color")
	case "client_request.audit":
		return "ran an audit" + historyDetail(e, "result")
	}
	return e.Action
}

func historyDetail(e store.AuditEntry, key string) string {
	var m map[string]any
	if json.Unmarshal(e.After, &m) != nil || m[key] == nil {
		return ""
	}
	switch x := m[key].(type) {
	case string:
		return ": " + x
	case []any:
		parts := make([]string, 0, len(x))
		for _, p := range x {
			parts = append(parts, fmt.Sprint(p))
		}
		return ": " + strings.Join(parts, "; ")
	}
	return ""
}

// RequestFormView is the console's form to submit a request on behalf of a client.
type RequestFormView struct {
	ClientID string
	Type     string
	Fields   map[string]string // payload fields by key
	JSON     string            // the free-form payload of the other types
	Errors   map[string]string
}

// Field is the submitted value of a payload field.
func (vm RequestFormView) Field(key string) string { return vm.Fields[key] }

// PayloadKeys are the payload fields the form shows for its type; nil means a free-form JSON object.
func (vm RequestFormView) PayloadKeys() []string { return FormPayloadKeys(vm.Type) }

// FormPayloadKeys are the form fields of a request type's payload.
func FormPayloadKeys(t string) []string {
	switch t {
	case store.RequestDeposit, store.RequestWithdrawal:
		return []string{"cardId", "amount"}
	case store.RequestTransfer:
		return []string{"fromCardId", "toCardId", "amount"}
	case store.RequestProfile:
		return []string{"name", "lastName", "email", "phoneNumber", "maritalStatus", "gender", "dateOfBirth", "countryOfBirth"}
	case store.RequestAddress:
		return []string{"address"}
	case store.RequestVerification, store.RequestDocument:
		return []string{"documentReference"}
	}
	return nil
}

// ResolutionsView is the resolutions admin screen.
type ResolutionsView struct {
	Resolutions []store.Resolution
	Types       []store.ResolutionType
	Partners    []store.PartnerSummary // the partners whose resolutions the operator manages
	Pager       Pager
	Enabled     string // "", "true" or "false"
	Name        string
	Type        string
	Form        ResolutionForm
}

// ResolutionForm is the create or edit form of a resolution.
type ResolutionForm struct {
	ID        int64
	PartnerID string
	Type      string
	Name      string
	Text      string
	Enabled   bool
	Errors    map[string]string
}

// partnerName finds a partner's name in the list.
func partnerName(partners []store.PartnerSummary, id int64) string {
	for _, p := range partners {
		if p.ID == id {
			return p.Name
		}
	}
	return ID(id)
}
