package i18n

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// messageIDs parses one catalogue file as go-i18n does and returns its message ids with the plural
// forms each one has.
func messageIDs(t *testing.T, lang string) map[string][]string {
	t.Helper()
	b := goi18n.NewBundle(language.Spanish)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	raw, err := files.ReadFile("active." + lang + ".toml")
	if err != nil {
		t.Fatal(err)
	}
	mf, err := b.ParseMessageFileBytes(raw, "active."+lang+".toml")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, m := range mf.Messages {
		var forms []string
		for form, text := range map[string]string{"zero": m.Zero, "one": m.One, "two": m.Two, "few": m.Few, "many": m.Many, "other": m.Other} {
			if text != "" {
				forms = append(forms, form)
			}
		}
		slices.Sort(forms)
		out[m.ID] = forms
	}
	return out
}

// TestCataloguesHaveTheSameKeys fails when a message exists in one language and not the other, or
// has plural forms in one and not the other.
func TestCataloguesHaveTheSameKeys(t *testing.T) {
	es, en := messageIDs(t, ES), messageIDs(t, EN)
	if len(es) < 100 {
		t.Fatalf("the Spanish catalogue has only %d messages: was it parsed?", len(es))
	}
	for id, forms := range es {
		other, ok := en[id]
		if !ok {
			t.Errorf("%q is in active.es.toml but not in active.en.toml", id)
			continue
		}
		if !slices.Equal(forms, other) {
			t.Errorf("%q has forms %v in Spanish but %v in English", id, forms, other)
		}
	}
	for id := range en {
		if _, ok := es[id]; !ok {
			t.Errorf("%q is in active.en.toml but not in active.es.toml", id)
		}
	}
}

// usedKey finds the message ids the sources translate with a literal: T(ctx, "id"), N(ctx, "id", n),
// In(lang, "id", ...) and PluralIn(lang, "id", ...), whatever the package qualifier, and a flash's
// Key: "id".
var usedKey = regexp.MustCompile(`(?:\b(?:T|N|In|PluralIn)\([a-zA-Z.]+, |\bKey(?::| =) )"([a-zA-Z0-9_.]+)"\s*[,)\n]`)

// TestEverySourceKeyIsInTheCatalogue scans the Go and templ sources of the repository for
// translations of a literal id and fails when an id is in no catalogue.
func TestEverySourceKeyIsInTheCatalogue(t *testing.T) {
	es := messageIDs(t, ES)
	root := filepath.Join("..", "..")
	found := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || strings.HasSuffix(path, "_templ.go") || strings.HasSuffix(path, "_test.go") ||
			!(strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".templ")) {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range usedKey.FindAllSubmatch(src, -1) {
			found++
			if _, ok := es[string(m[1])]; !ok {
				t.Errorf("%s uses %q, which no catalogue has", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 20 {
		t.Fatalf("found only %d translated literals: is the pattern still right?", found)
	}
}

func TestTranslateAndPlurals(t *testing.T) {
	es := WithLocale(context.Background(), Locale{Lang: ES})
	en := WithLocale(context.Background(), Locale{Lang: EN})
	for _, c := range []struct{ got, want string }{
		{T(es, "nav.partners"), "Socios"},
		{T(en, "nav.partners"), "Partners"},
		{T(context.Background(), "nav.partners"), "Socios"},
		{N(es, "time.hours_ago", 1), "hace 1 hora"},
		{N(es, "time.hours_ago", 3), "hace 3 horas"},
		{N(en, "time.days_ago", 1), "1 day ago"},
		{N(en, "time.days_ago", 2), "2 days ago"},
		{T(es, "common.page_of", map[string]any{"Page": 2, "Pages": 5}), "Página 2 de 5"},
		{T(es, "time.month.9"), "septiembre"},
		{T(es, "errors.code.7303"), "Fondos insuficientes"},
		{T(es, "no.such.key"), "no.such.key"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if !Has(EN, "nav.partners") || Has(EN, "no.such.key") {
		t.Error("Has does not tell present from missing messages")
	}
}

func TestResolve(t *testing.T) {
	for _, c := range []struct{ saved, country, accept, want string }{
		{"en", "GT", "es", EN},
		{"es", "US", "en", ES},
		{"", "GT", "en-US,en;q=0.9", ES},
		{"", "US", "es", EN},
		{"", "", "en-US,en;q=0.9", EN},
		{"", "", "fr-FR, es;q=0.5", ES},
		{"", "", "de", ES},
		{"", "", "", ES},
		{"", "FR", "en", EN},
		{"xx", "", "garbage;;", ES},
	} {
		if got := Resolve(c.saved, c.country, c.accept); got != c.want {
			t.Errorf("Resolve(%q, %q, %q) = %q, want %q", c.saved, c.country, c.accept, got, c.want)
		}
	}
}
