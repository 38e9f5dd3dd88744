package views

import (
	"bytes"
	"context"
	"io"

	"github.com/a-h/templ"
)

// pageContent renders a page's content and, when the content has no h1 of its own (a panel shown
// on a page by itself), puts the page's title before it as a heading only screen readers show, so
// that every page has exactly one h1.
func pageContent(title string) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		var content bytes.Buffer
		if err := templ.GetChildren(ctx).Render(templ.ClearChildren(ctx), &content); err != nil {
			return err
		}
		if !bytes.Contains(content.Bytes(), []byte("<h1")) {
			if _, err := io.WriteString(w, `<h1 class="sr-only">`+templ.EscapeString(title)+`</h1>`); err != nil {
				return err
			}
		}
		_, err := w.Write(content.Bytes())
		return err
	})
}
