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

// cardTone colours a card's status.
func cardTone(status string) Tone {
	switch status {
	case store.CardActive:
		return ToneDone
	case store.CardBlocked:
		return ToneRefused
	}
	return ToneQuiet
}

// requestTone colours a client request's status.
func requestTone(id int) Tone {
	switch id {
	case store.StatusApproved:
		return ToneDone
	case store.StatusRejected:
		return ToneRefused
	case store.StatusInProgress:
		return ToneWorking
	case store.StatusNew:
		return ToneNew
	}
	return TonePending
}

// topUpTone colours a top-up's status.
func topUpTone(status string) Tone {
	switch status {
	case store.ProcessApproved:
		return ToneDone
	case store.ProcessRejected:
		return ToneRefused
	case store.ProcessCancelled:
		return ToneWithdrew
	}
	return TonePending
}

// bulkTone colours the outcome of one card of a bulk action.
func bulkTone(result string) Tone {
	switch result {
	case store.BulkChanged:
		return ToneDone
	case store.BulkUnchanged:
		return ToneQuiet
	}
	return ToneRefused
}
