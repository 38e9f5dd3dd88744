package views

import "cardconsole/store"

// Tone is the colour of a badge: how the status it shows went.
type Tone string

// The tones of badges.
const (
	ToneDone     Tone = "bg-emerald-100 text-emerald-800" // approved, active, changed
	ToneRefused  Tone = "bg-rose-100 text-rose-800"       // rejected, blocked, failed
	TonePending  Tone = "bg-amber-100 text-amber-800"     // waiting for someone
	ToneWorking  Tone = "bg-sky-100 text-sky-800"         // being handled
	ToneNew      Tone = "bg-violet-100 text-violet-800"   // just arrived
	ToneQuiet    Tone = "bg-slate-100 text-slate-700"     // nothing to do: inactive, unchanged
	ToneWithdrew Tone = "bg-slate-200 text-slate-700"     // withdrawn by its maker
)

// statusTones colours the statuses of cards, top-ups and the cards of a bulk action; any other
// status is quiet.
var statusTones = map[string]Tone{
	store.CardActive: ToneDone, store.CardBlocked: ToneRefused,
	store.ProcessPending: TonePending, store.ProcessApproved: ToneDone, store.ProcessRejected: ToneRefused,
	store.ProcessCancelled: ToneWithdrew,
	store.BulkChanged:      ToneDone, store.BulkFailed: ToneRefused,
}

// statusTone colours a status of a card, a top-up or a card of a bulk action.
func statusTone(status string) Tone {
	if t, ok := statusTones[status]; ok {
		return t
	}
	return ToneQuiet
}

// requestTones colours the statuses of client requests; any other is pending.
var requestTones = map[int]Tone{store.StatusApproved: ToneDone, store.StatusRejected: ToneRefused,
	store.StatusInProgress: ToneWorking, store.StatusNew: ToneNew}

// requestTone colours a client request's status.
func requestTone(id int) Tone {
	if t, ok := requestTones[id]; ok {
		return t
	}
	return TonePending
}
