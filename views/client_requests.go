package views

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"cardconsole/store"
	"cardconsole/web/format"
	"cardconsole/web/i18n"
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

// RequestTypeLabel names a request type for people, starting with a capital: "Deposit", "Depósito".
func RequestTypeLabel(ctx context.Context, t string) string {
	return capitalize(RequestTypeWord(ctx, t))
}

// RequestTypeWord names a request type in the middle of a sentence: "deposit", "depósito".
func RequestTypeWord(ctx context.Context, t string) string { return Enum(ctx, "request_type", t) }

// RequestStatusLabel names a status for people: "Pending", "Pendiente".
func RequestStatusLabel(ctx context.Context, id int) string {
	name, ok := store.RequestStatuses[id]
	if !ok {
		return strconv.Itoa(id)
	}
	return capitalize(Enum(ctx, "request_status", name))
}

// FieldLabel is a field's name in words as a label: "Date of birth", "Fecha de nacimiento".
func FieldLabel(ctx context.Context, field string) string {
	return capitalize(format.Field(i18n.Lang(ctx), field))
}

// capitalize writes the first letter of s in upper case.
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// RequestAmount shows a money request's amount with its currency, or nothing.
func RequestAmount(r store.ClientRequest) string {
	if !r.Amount.Valid {
		return ""
	}
	return Money(r.Amount.Decimal, deref(r.Currency))
}

// RequestText is a one-line description of a request: the notification text.
func RequestText(ctx context.Context, r store.ClientRequest) string {
	data := map[string]any{"Amount": RequestAmount(r), "Client": r.ClientName,
		"Type": RequestTypeLabel(ctx, r.Type), "Word": RequestTypeWord(ctx, r.Type)}
	switch r.Type {
	case store.RequestDeposit:
		return i18n.T(ctx, "requests.text_deposit", data)
	case store.RequestWithdrawal:
		return i18n.T(ctx, "requests.text_withdrawal", data)
	case store.RequestTransfer:
		return i18n.T(ctx, "requests.text_transfer", data)
	case store.RequestProfile, store.RequestAddress:
		return i18n.T(ctx, "requests.text_change", data)
	}
	return i18n.T(ctx, "requests.text_other", data)
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

// payloadEnums are the payload fields whose values are enum codes, shown in words.
var payloadEnums = map[string]string{"maritalStatus": "marital_status", "gender": "gender", "documentType": "document_type"}

// PayloadFields lists a request's payload fields in a stable order, named in words with their
// values as people read them: the amount with its currency, countries and enum values in words, the
// client's cards by their masked number.
func PayloadFields(ctx context.Context, r store.ClientRequest, cards []store.Card) []PayloadField {
	var m map[string]any
	if err := json.Unmarshal(r.Payload, &m); err != nil {
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
			v = payloadValue(ctx, k, x, deref(r.Currency))
		default:
			b, _ := json.Marshal(x)
			v = payloadValue(ctx, k, string(b), deref(r.Currency))
		}
		if strings.HasSuffix(k, "CardId") || k == "cardId" {
			v = cardNumber(cards, v)
		}
		out = append(out, PayloadField{Key: FieldLabel(ctx, k), Value: v})
	}
	return out
}

// cardNumber is the masked number of the client's card with the id, or the id when it is not one of them.
func cardNumber(cards []store.Card, id string) string {
	for _, c := range cards {
		if ID(c.ID) == id {
			return c.MaskedNumber()
		}
	}
	return "#" + id
}

// payloadValue is a payload value in words where the field has words for it.
func payloadValue(ctx context.Context, key, v, currency string) string {
	switch {
	case key == "countryOfBirth":
		return format.CountryName(ctx, v)
	case key == "amount":
		if d, err := decimal.NewFromString(v); err == nil {
			return Money(d, currency)
		}
	case payloadEnums[key] != "":
		return Enum(ctx, payloadEnums[key], v)
	}
	return v
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
func HistoryLine(ctx context.Context, e store.AuditEntry) string {
	switch e.Action {
	case "client_request.submit":
		return i18n.T(ctx, "requests.history_submitted")
	case "client_request.approve":
		return i18n.T(ctx, "requests.history_approved")
	case "client_request.reject":
		return i18n.T(ctx, "requests.history_rejected") + historyDetail(e, "resolution")
	case "client_request.color":
		return i18n.T(ctx, "requests.history_color") + historyDetail(e, "color")
	case "client_request.audit":
		if detail, ok := auditDetail(ctx, e); ok {
			return i18n.T(ctx, "requests.history_audit") + detail
		}
		return i18n.T(ctx, "requests.history_audit") + historyDetail(e, "result")
	}
	return e.Action
}

// AuditFindingText says an audit finding in the request's language, with its money as people write it.
func AuditFindingText(ctx context.Context, f store.AuditFinding) string {
	data := map[string]any{}
	for k, v := range f.Data {
		data[k] = v
	}
	for k, d := range f.Amounts {
		data[k] = Money(d, f.Currency)
	}
	if status, ok := data["Status"].(string); ok {
		data["Status"] = Enum(ctx, "card_status", status)
	}
	if count, ok := data["Count"]; ok {
		n, _ := strconv.Atoi(fmt.Sprint(count))
		return i18n.N(ctx, "requests.finding_"+f.Kind, n, data)
	}
	return i18n.T(ctx, "requests.finding_"+f.Kind, data)
}

// auditDetail is the findings an audit entry recorded, in words; "" when it recorded none.
func auditDetail(ctx context.Context, e store.AuditEntry) (string, bool) {
	var after struct {
		Findings []store.AuditFinding `json:"findings"`
		Result   []string             `json:"result"`
	}
	if json.Unmarshal(e.After, &after) != nil || len(after.Result) == 0 {
		return "", false
	}
	if len(after.Findings) == 0 {
		return ": " + i18n.T(ctx, "requests.finding_ok"), true
	}
	parts := make([]string, len(after.Findings))
	for i, f := range after.Findings {
		parts[i] = AuditFindingText(ctx, f)
	}
	return ": " + strings.Join(parts, "; "), true
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

// ResolutionTypeName is a resolution type's name in the request's language; a type the catalogue
// does not know keeps its own name.
func ResolutionTypeName(ctx context.Context, name string) string {
	return Enum(ctx, "resolution_type", name)
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
