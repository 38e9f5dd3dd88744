package views

import (
	"context"
	"strings"

	"cardconsole/store"
	"cardconsole/web/format"
	"cardconsole/web/i18n"
)

// Day writes a calendar day kept as YYYY-MM-DD (a date of birth) in the request's language.
func Day(ctx context.Context, day string) string { return format.Day(ctx, day) }

// CountryName is a country's name in the request's language, from its ISO code.
func CountryName(ctx context.Context, code string) string { return format.CountryName(ctx, code) }

// cardStatus writes a card's status in words ("bloqueada", "blocked").
func cardStatus(ctx context.Context, status string) string { return Enum(ctx, "card_status", status) }

// movementLabel names a movement type in words ("Carga", "Load").
func movementLabel(ctx context.Context, t string) string { return Enum(ctx, "movement_type", t) }

// cardReason writes the reason of a card's status change in words; a replacement names the card
// it replaces.
func cardReason(ctx context.Context, reason string) string {
	if id, ok := strings.CutPrefix(reason, "REPLACES "); ok {
		return i18n.T(ctx, "card_life.replaces", map[string]any{"ID": id})
	}
	return Enum(ctx, "cancel_reason", reason)
}

// cardActionLabel is the button label of a card action.
func cardActionLabel(ctx context.Context, a store.CardAction) string {
	switch a {
	case store.ActivateCard:
		return i18n.T(ctx, "holder_cards.activate")
	case store.BlockCard:
		return i18n.T(ctx, "holder_cards.block")
	}
	return i18n.T(ctx, "holder_cards.unblock")
}

// cardActionConfirm is the question a card action asks before it is sent.
func cardActionConfirm(ctx context.Context, a store.CardAction, c store.Card) string {
	data := map[string]any{"Card": c.MaskedNumber()}
	switch a {
	case store.ActivateCard:
		return i18n.T(ctx, "holder_cards.confirm_activate", data)
	case store.BlockCard:
		return i18n.T(ctx, "holder_cards.confirm_block", data)
	}
	return i18n.T(ctx, "holder_cards.confirm_unblock", data)
}
