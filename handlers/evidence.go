package handlers

import (
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/views"
	"cardconsole/web"
)

// EvidenceLinkTTL is how long a signed evidence link works: long enough to click or fetch it, short
// enough that a link copied out of a log or a browser history is soon useless.
const EvidenceLinkTTL = 5 * time.Minute

// evidenceLink is the JSON of GET .../evidence/download.
type evidenceLink struct {
	URL         string    `json:"url"`
	ExpiresAt   time.Time `json:"expiresAt"`
	ContentType string    `json:"contentType"`
	FileName    string    `json:"fileName"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
}

// ProcessRequestEvidence hands out a signed link to a request's evidence: JSON {url, expiresAt, ...}
// for API clients, an inline preview for HTMX, and a redirect to the download for a browser.
// Every link handed out is audited.
func (h *Handlers) ProcessRequestEvidence(c echo.Context) error {
	id, err := processRequestID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	pr, err := h.store.ProcessRequest(ctx, web.PartnerID(c), id)
	if err != nil {
		return err
	}
	if err := h.store.Audit(ctx, web.Actor(c), store.Event{PartnerID: pr.PartnerID, Action: "process-request.evidence_link",
		ObjectType: "process_request", ObjectID: pr.ID, After: map[string]string{"sha256": pr.EvidenceSHA256}}); err != nil {
		return err
	}
	filePath := "/files/evidence/" + url.PathEscape(pr.EvidenceKey)
	link, expires := h.app.SignPath(filePath, nil, EvidenceLinkTTL)
	inline, _ := h.app.SignPath(filePath, url.Values{"disposition": {"inline"}}, EvidenceLinkTTL)
	return h.app.Respond(c, web.View{Data: evidenceLink{URL: h.app.BaseURL() + link, ExpiresAt: expires,
		ContentType: pr.EvidenceContentType, FileName: pr.EvidenceFileName, Size: pr.EvidenceSize, SHA256: pr.EvidenceSHA256},
		Partial: views.EvidencePreview(pr, inline, link), Redirect: &web.Redirect{To: link}})
}

// EvidenceFile serves a file through a signed link, without credentials: the type decided at
// upload, as an attachment unless the signed link asks for inline display (the console's preview),
// never sniffed. A tampered or expired link is 403.
func (h *Handlers) EvidenceFile(c echo.Context) error {
	if err := h.app.VerifySigned(c); err != nil {
		return err
	}
	blob, content, err := h.store.Blobs().Open(c.Request().Context(), c.Param("key"))
	if err != nil {
		return err
	}
	defer content.Close()
	disposition := "attachment"
	if c.QueryParam("disposition") == "inline" {
		disposition = "inline"
	}
	hd := c.Response().Header()
	hd.Set(echo.HeaderContentType, blob.ContentType)
	hd.Set(echo.HeaderContentLength, strconv.FormatInt(blob.Size, 10))
	hd.Set(echo.HeaderContentDisposition, mime.FormatMediaType(disposition, map[string]string{"filename": blob.FileName}))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set(echo.HeaderCacheControl, "private, no-store")
	c.Response().WriteHeader(http.StatusOK)
	if _, err := io.Copy(c.Response(), content); err != nil {
		h.app.Log.Error("evidence download cut short", "request_id", web.RequestID(c), "key", blob.Key, "err", err)
	}
	return nil
}
