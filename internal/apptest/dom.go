package apptest

import (
	"bytes"
	"context"
	"html"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"
)

// ParseHTML parses HTML for queries by CSS selector (doc.Find(`[data-testid="x"]`)).
func ParseHTML(t testing.TB, b []byte) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not HTML: %v: %s", err, b)
	}
	return doc
}

// Render renders a templ component in ctx (which carries the locale) and parses what it wrote, for
// component tests that query it by data-testid.
func Render(t testing.TB, ctx context.Context, c templ.Component) *goquery.Document {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(ctx, &buf); err != nil {
		t.Fatalf("render: %v", err)
	}
	return ParseHTML(t, buf.Bytes())
}

// Doc parses the body as HTML, for queries by CSS selector.
func (r *Response) Doc() *goquery.Document {
	r.T.Helper()
	return ParseHTML(r.T, r.Body)
}

// Find returns the elements of the body that match the CSS selector.
func (r *Response) Find(selector string) *goquery.Selection {
	r.T.Helper()
	return r.Doc().Find(selector)
}

// WantSelectors fails the test unless the body is HTML in which every CSS selector matches at least
// one element.
func (r *Response) WantSelectors(selectors ...string) *Response {
	r.T.Helper()
	r.wantHTMLType()
	doc := r.Doc()
	for _, s := range selectors {
		if doc.Find(s).Length() == 0 {
			r.T.Fatalf("no element matches %s in:\n%s", s, r.Body)
		}
	}
	return r
}

// WantNoSelectors fails the test if any CSS selector matches an element of the body.
func (r *Response) WantNoSelectors(selectors ...string) *Response {
	r.T.Helper()
	doc := r.Doc()
	for _, s := range selectors {
		if n := doc.Find(s).Length(); n > 0 {
			r.T.Fatalf("%d elements match %s in:\n%s", n, s, r.Body)
		}
	}
	return r
}

// WantText fails the test unless the text of the first element matching the selector is want,
// spaces trimmed.
func (r *Response) WantText(selector, want string) *Response {
	r.T.Helper()
	sel := r.Find(selector)
	if sel.Length() == 0 {
		r.T.Fatalf("no element matches %s in:\n%s", selector, r.Body)
	}
	if got := strings.TrimSpace(sel.First().Text()); got != want {
		r.T.Fatalf("%s reads %q, want %q", selector, got, want)
	}
	return r
}

// WantHTML fails the test unless the answer is HTML whose markup, entities decoded, contains every
// fragment (markup with text, or text alone; WantSelectors checks an element by itself).
func (r *Response) WantHTML(fragments ...string) *Response {
	r.T.Helper()
	r.wantHTMLType()
	body := html.UnescapeString(string(r.Body))
	for _, f := range fragments {
		if !strings.Contains(body, f) {
			r.T.Fatalf("the HTML lacks %q:\n%s", f, body)
		}
	}
	return r
}

// WantPage is WantHTML for a whole page (with the layout).
func (r *Response) WantPage(fragments ...string) *Response {
	r.T.Helper()
	if !r.IsPage() {
		r.T.Fatalf("a fragment, want a whole page: %.300s", r.Body)
	}
	return r.WantHTML(fragments...)
}

// WantFragment is WantHTML for a fragment (an HTMX answer without the layout).
func (r *Response) WantFragment(fragments ...string) *Response {
	r.T.Helper()
	if r.IsPage() {
		r.T.Fatalf("a whole page, want a fragment: %.300s", r.Body)
	}
	return r.WantHTML(fragments...)
}

// IsPage reports whether the answer is a whole page (the layout) rather than a fragment.
func (r *Response) IsPage() bool {
	body := strings.ToLower(string(r.Body))
	return strings.Contains(body, "<!doctype html>") || strings.Contains(body, "<html")
}

// wantHTMLType fails the test unless the answer's content type is HTML.
func (r *Response) wantHTMLType() {
	r.T.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		r.T.Fatalf("content type %q, want HTML; body: %s", ct, r.Body)
	}
}
