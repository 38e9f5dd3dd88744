package views

import (
	"context"
	"net/url"
	"strings"

	"cardconsole/store"
	"cardconsole/web/i18n"
)

// ActivityView is the Activity tab of a cardholder, or of one of their cards when CardID is set: a
// page of the timeline, newest first, filtered by kind.
type ActivityView struct {
	PartnerID   int64
	PartnerName string
	Holder      store.CardholderHeader
	CardID      int64  // 0 on the cardholder's tab
	CardLast4   string // the card's last 4 digits on the card's tab
	TimeZone    string // the partner's, which the times follow
	Kinds       []string
	Items       []store.Activity
	Pager       Pager
}

// Path is the tab's URL path.
func (vm ActivityView) Path() string {
	if vm.CardID != 0 {
		return CardURL(vm.PartnerID, vm.Holder.ID, vm.CardID, "/activity")
	}
	return HolderURL(vm.PartnerID, vm.Holder.ID, "/activity")
}

// OverviewURL is the page the Activity tab sits beside.
func (vm ActivityView) OverviewURL() string {
	if vm.CardID != 0 {
		return CardURL(vm.PartnerID, vm.Holder.ID, vm.CardID, "")
	}
	return HolderURL(vm.PartnerID, vm.Holder.ID, "")
}

// KindURL is the tab filtered by kind ("" for every kind).
func (vm ActivityView) KindURL(kind string) string {
	if kind == "" {
		return vm.Path()
	}
	return vm.Path() + "?" + url.Values{"kind": {kind}}.Encode()
}

// Selected reports whether the list shows kind ("" when it shows every kind).
func (vm ActivityView) Selected(kind string) bool {
	if kind == "" {
		return len(vm.Kinds) == 0
	}
	return len(vm.Kinds) == 1 && vm.Kinds[0] == kind
}

// activityLabelKeys name, in the catalogues, each action of the timeline in words.
var activityLabelKeys = map[string]string{
	"cardholder.create":          "activity.action_created",
	"cardholder.update":          "activity.action_updated",
	"cardholder.close":           "activity.action_closed",
	"cardholder.read":            "activity.action_read",
	"reversal.request":           "activity.action_reversal_request",
	"reversal.approve":           "activity.action_reversal_approve",
	"reversal.reject":            "activity.action_reversal_reject",
	store.MovementTopUp:          "activity.action_top_up",
	store.MovementAddFunds:       "activity.action_load",
	store.MovementWithdrawFunds:  "activity.action_unload",
	store.MovementTransferOut:    "activity.action_transfer_out",
	store.MovementTransferIn:     "activity.action_transfer_in",
	store.MovementReplacementOut: "activity.action_replacement_out",
	store.MovementReplacementIn:  "activity.action_replacement_in",
	store.MovementReversal:       "activity.action_reversal",
}

// ActivityLabel says what happened on a line of the timeline, in the request's language.
func ActivityLabel(ctx context.Context, a store.Activity) string {
	if key, ok := activityLabelKeys[a.Action]; ok {
		return i18n.T(ctx, key)
	}
	switch a.Kind {
	case store.ActivityCard:
		return i18n.T(ctx, "activity.action_card", map[string]any{"Status": strings.ToUpper(strings.TrimPrefix(a.Action, "card."))})
	case store.ActivityRequest:
		return i18n.T(ctx, "activity.action_request", map[string]any{"Type": strings.TrimPrefix(a.Action, "client-request.")})
	}
	return a.Action
}

// ActivityKindLabel names a kind of the timeline's filter in the request's language.
func ActivityKindLabel(ctx context.Context, kind string) string {
	switch kind {
	case store.ActivityProfile:
		return i18n.T(ctx, "activity.kind_profile")
	case store.ActivityCard:
		return i18n.T(ctx, "activity.kind_card")
	case store.ActivityFunds:
		return i18n.T(ctx, "activity.kind_funds")
	case store.ActivityReversal:
		return i18n.T(ctx, "activity.kind_reversal")
	case store.ActivityRead:
		return i18n.T(ctx, "activity.kind_read")
	case store.ActivityRequest:
		return i18n.T(ctx, "activity.kind_request")
	}
	return i18n.T(ctx, "activity.kind_all")
}

// ActivityDetail is a line's detail in words: the fields an edit changed, or the reason or
// description the source keeps.
func ActivityDetail(ctx context.Context, a store.Activity) string {
	if a.Action == "cardholder.update" && a.Detail != "" {
		return i18n.T(ctx, "activity.changed", map[string]any{"Fields": a.Detail})
	}
	return a.Detail
}
