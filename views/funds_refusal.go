package views

import (
	"context"

	"cardconsole/web/i18n"
)

// RefusalTitle heads a funds review that cannot be confirmed: "Cannot unload".
func RefusalTitle(ctx context.Context, operation string) string {
	switch operation {
	case "withdraw":
		return i18n.T(ctx, "funds_refusal.title_withdraw")
	case "transfer":
		return i18n.T(ctx, "funds_refusal.title_transfer")
	}
	return i18n.T(ctx, "funds_refusal.title_add")
}
