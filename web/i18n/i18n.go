// Package i18n is the console's message catalogue: Spanish and English texts kept in the
// active.*.toml files beside it (embedded), plural rules from go-i18n, and the locale (language and
// time zone) a request is answered in, carried by its context so that templ components translate
// with T(ctx, id) without their view models knowing about languages.
package i18n

import (
	"embed"
	"strings"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// The languages of the console; Spanish is the default.
const (
	ES = "es"
	EN = "en"
)

// Languages lists the console's languages, the default first.
var Languages = []string{ES, EN}

//go:embed active.*.toml
var files embed.FS

var (
	bundle     *goi18n.Bundle
	localizers = map[string]*goi18n.Localizer{}
)

func init() {
	bundle = goi18n.NewBundle(language.Spanish)
	bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	for _, lang := range Languages {
		if _, err := bundle.LoadMessageFileFS(files, "active."+lang+".toml"); err != nil {
			panic("i18n: " + err.Error())
		}
		localizers[lang] = goi18n.NewLocalizer(bundle, lang)
	}
}

// Supported reports whether lang is one of the console's languages.
func Supported(lang string) bool { return lang == ES || lang == EN }

// In translates the message id into lang, filling in data ("{{.Name}}" in the catalogue). A
// message missing from the catalogue shows its id, which the catalogue tests catch.
func In(lang, id string, data map[string]any) string {
	return translate(lang, &goi18n.LocalizeConfig{MessageID: id, TemplateData: data})
}

// PluralIn translates a message with plural forms for count; data may use {{.Count}}.
func PluralIn(lang, id string, count int, data map[string]any) string {
	if data == nil {
		data = map[string]any{}
	}
	if _, ok := data["Count"]; !ok {
		data["Count"] = count
	}
	return translate(lang, &goi18n.LocalizeConfig{MessageID: id, PluralCount: count, TemplateData: data})
}

// Has reports whether the catalogue of lang holds the message id.
func Has(lang, id string) bool {
	l, ok := localizers[lang]
	if !ok {
		return false
	}
	_, tag, err := l.LocalizeWithTag(&goi18n.LocalizeConfig{MessageID: id, PluralCount: 2})
	return err == nil && tag.String() == lang
}

func translate(lang string, cfg *goi18n.LocalizeConfig) string {
	l, ok := localizers[lang]
	if !ok {
		l = localizers[ES]
	}
	s, err := l.Localize(cfg)
	if err != nil {
		return cfg.MessageID
	}
	return s
}

// Resolve picks the language of a console request: the operator's saved choice, else the
// language of their partner's country, else the browser's Accept-Language, else Spanish.
func Resolve(saved, country, acceptLanguage string) string {
	if Supported(saved) {
		return saved
	}
	if lang, ok := countryLanguage[strings.ToUpper(country)]; ok {
		return lang
	}
	return FromAcceptLanguage(acceptLanguage)
}

// countryLanguage is the console language of the partners' countries that have one.
var countryLanguage = map[string]string{
	"GT": ES, "SV": ES, "HN": ES, "NI": ES, "CR": ES, "PA": ES, "MX": ES, "CO": ES, "PE": ES, "EC": ES,
	"DO": ES, "AR": ES, "CL": ES, "BO": ES, "PY": ES, "UY": ES, "VE": ES, "ES": ES,
	"US": EN, "GB": EN, "CA": EN, "BZ": EN,
}

var matcher = language.NewMatcher([]language.Tag{language.Spanish, language.English})

// FromAcceptLanguage is the console language an Accept-Language header asks for; Spanish when it
// asks for neither language or is absent.
func FromAcceptLanguage(header string) string {
	if strings.TrimSpace(header) == "" {
		return ES
	}
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return ES
	}
	_, idx, conf := matcher.Match(tags...)
	if conf == language.No {
		return ES
	}
	return Languages[idx]
}
