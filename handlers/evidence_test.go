package handlers_test

import (
	"bytes"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
)

// evidenceLink asks for a request's signed link and returns its path and query, so that it can be
// fetched from any instance.
func evidenceLink(t *testing.T, env *apptest.Env, op *apptest.Operator, partner, id int64) (string, map[string]any) {
	t.Helper()
	d := op.Do(http.MethodGet, requestPath(partner, id, "/evidence/download"), nil).WantStatus(http.StatusOK).Data()
	u, err := url.Parse(d["url"].(string))
	if err != nil || u.Scheme+"://"+u.Host != env.App.BaseURL() {
		t.Fatalf("url %v is not absolute on the base URL", d["url"])
	}
	return u.RequestURI(), d
}

func TestSignedEvidenceLink(t *testing.T) {
	t.Parallel()
	f := newTopUpFixture(t)
	pdf := pdfBytes(t, "Deposit slip")
	res := postTopUp(t, f.env, f.maker(), f.partner, map[string]string{"requestedAmount": "75"},
		&evidenceFile{"slip #1 (copy)?.pdf", "text/html", pdf}).WantStatus(http.StatusCreated)
	id := int64(res.Data()["id"].(float64))
	link, d := evidenceLink(t, f.env, f.checker(), f.partner, id)
	if d["contentType"] != "application/pdf" || d["fileName"] != "slip _1 (copy).pdf" || d["sha256"] != res.Data()["evidenceSha256"] {
		t.Errorf("link data %v", d)
	}
	exp, _ := time.Parse(time.RFC3339, d["expiresAt"].(string))
	if ttl := exp.Sub(f.env.Now()); ttl <= 4*time.Minute || ttl > handlers.EvidenceLinkTTL {
		t.Errorf("link lives %s", ttl)
	}

	// No credentials needed; the real type, as an attachment, never sniffed.
	file := f.env.Do(http.MethodGet, link, nil, nil).WantStatus(http.StatusOK)
	if !bytes.Equal(file.Body, pdf) {
		t.Error("the file differs from the upload")
	}
	h := file.Header
	if h.Get("Content-Type") != "application/pdf" || h.Get("X-Content-Type-Options") != "nosniff" ||
		disposition(t, h) != "attachment slip _1 (copy).pdf" || !strings.Contains(h.Get("Cache-Control"), "no-store") {
		t.Errorf("headers %v", h)
	}

	// Another instance on the same database, sharing the session key, serves the same link.
	other := apptest.NewOn(t, handlers.Routes, f.env.URL)
	other.Do(http.MethodGet, link, nil, nil).WantStatus(http.StatusOK)

	// Tampering with any part of the link is refused.
	second := createTopUp(t, f.env, f.maker(), f.partner, "5")
	link2, _ := evidenceLink(t, f.env, f.checker(), f.partner, second)
	u, _ := url.Parse(link)
	u2, _ := url.Parse(link2)
	q := u.Query()
	tampered := map[string]string{}
	withQuery := func(name string, change func(url.Values)) {
		c := url.Values{}
		for k, v := range q {
			c[k] = append([]string(nil), v...)
		}
		change(c)
		tampered[name] = u.Path + "?" + c.Encode()
	}
	withQuery("no signature", func(c url.Values) { c.Del("sig") })
	withQuery("flipped signature", func(c url.Values) {
		s := []byte(c.Get("sig"))
		if s[0] == '0' {
			s[0] = '1'
		} else {
			s[0] = '0'
		}
		c.Set("sig", string(s))
	})
	withQuery("later expiry", func(c url.Values) { c.Set("expires", "99999999999") })
	withQuery("inline display", func(c url.Values) { c.Set("disposition", "inline") })
	withQuery("two signatures", func(c url.Values) { c.Add("sig", c.Get("sig")) })
	tampered["other file, same signature"] = u2.Path + "?" + u.RawQuery
	tampered["other route"] = "/files/evidence/x" + u.Path[len("/files/evidence/"):] + "?" + u.RawQuery
	for name, p := range tampered {
		t.Run(name, func(t *testing.T) {
			f.env.Do(http.MethodGet, p, nil, nil).WantError(http.StatusForbidden, "7005")
		})
	}

	// Expired links are refused, on every instance.
	f.env.AdvanceClock(handlers.EvidenceLinkTTL + time.Second)
	f.env.Do(http.MethodGet, link, nil, nil).WantError(http.StatusForbidden, "7005")
	other.AdvanceClock(handlers.EvidenceLinkTTL + time.Second)
	other.Do(http.MethodGet, link, nil, nil).WantError(http.StatusForbidden, "7005")
	// A fresh link works again, and each link handed out was audited.
	fresh, _ := evidenceLink(t, f.env, f.checker(), f.partner, id)
	f.env.Do(http.MethodGet, fresh, nil, nil).WantStatus(http.StatusOK)
	var audited int
	f.env.Store.DB().Get(&audited, `SELECT count(*) FROM audit_log WHERE action = 'process-request.evidence_link'`)
	if audited != 3 {
		t.Errorf("%d links audited, want 3", audited)
	}
}

func TestEvidenceLinkInConsole(t *testing.T) {
	t.Parallel()
	f := newTopUpFixture(t)
	id := createTopUp(t, f.env, f.maker(), f.partner, "20")
	img := postTopUp(t, f.env, f.maker(), f.partner, map[string]string{"requestedAmount": "5"},
		&evidenceFile{"photo.png", "image/png", pngBytes(t)}).WantStatus(http.StatusCreated)
	imgID := int64(img.Data()["id"].(float64))
	c := f.env.Console()
	c.Login(f.checker().Email, apptest.Password)

	// HTMX: an inline preview through a signed link, with a download link beside it.
	part := c.Get(requestPath(f.partner, id, "/evidence/download"), true).WantStatus(http.StatusOK).
		WantSelectors(`[data-testid="evidence-pdf"]`, `[data-testid="evidence-download"]`).
		Contains("disposition=inline").Lacks("<html")
	src := attr(t, string(part.Body), `<iframe src="`)
	inline := f.env.Do(http.MethodGet, src, nil, nil).WantStatus(http.StatusOK)
	if disposition(t, inline.Header) != "inline receipt.pdf" || inline.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("inline headers %v", inline.Header)
	}
	c.Get(requestPath(f.partner, imgID, "/evidence/download"), true).WantStatus(http.StatusOK).
		WantSelectors(`[data-testid="evidence-image"]`)

	// A full page request is sent to the file itself.
	page := c.Get(requestPath(f.partner, id, "/evidence/download"), false).WantStatus(http.StatusSeeOther)
	loc := page.Header.Get("Location")
	if !strings.HasPrefix(loc, "/files/evidence/") {
		t.Fatalf("Location %q", loc)
	}
	file := f.env.Do(http.MethodGet, loc, nil, nil).WantStatus(http.StatusOK)
	if disposition(t, file.Header) != "attachment receipt.pdf" {
		t.Errorf("download is not an attachment: %v", file.Header)
	}
}

// disposition is the Content-Disposition's type and file name.
func disposition(t *testing.T, h http.Header) string {
	t.Helper()
	typ, params, err := mime.ParseMediaType(h.Get("Content-Disposition"))
	if err != nil {
		t.Fatalf("Content-Disposition %q: %v", h.Get("Content-Disposition"), err)
	}
	return typ + " " + params["filename"]
}

// attr returns the attribute value that follows prefix in html, unescaped.
func attr(t *testing.T, html, prefix string) string {
	t.Helper()
	i := strings.Index(html, prefix)
	if i < 0 {
		t.Fatalf("no %q in %s", prefix, html)
	}
	rest := html[i+len(prefix):]
	return strings.ReplaceAll(rest[:strings.IndexByte(rest, '"')], "&amp;", "&")
}
