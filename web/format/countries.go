package format

import (
	"context"
	"slices"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"cardconsole/web/i18n"
)

// Country is a country code with its name in a language, for pickers.
type Country struct {
	Code string
	Name string
}

// CountryName is the name of an ISO 3166-1 alpha-2 country in the context's language (the code
// itself when it is not a country).
func CountryName(ctx context.Context, code string) string {
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	name := display.Regions(language.Make(i18n.Lang(ctx))).Name(r)
	if name == "" {
		return code
	}
	return name
}

// Countries names the codes in the context's language, sorted as that language sorts (Perú
// before Portugal in Spanish).
func Countries(ctx context.Context, codes []string) []Country {
	out := make([]Country, 0, len(codes))
	for _, c := range codes {
		out = append(out, Country{Code: c, Name: CountryName(ctx, c)})
	}
	col := collate.New(language.Make(i18n.Lang(ctx)), collate.Loose)
	slices.SortStableFunc(out, func(a, b Country) int { return col.CompareString(a.Name, b.Name) })
	return out
}
