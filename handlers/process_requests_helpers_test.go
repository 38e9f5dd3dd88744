package handlers_test

import (
	"bufio"
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"cardconsole/internal/apptest"
	"cardconsole/views/pdf"
	"cardconsole/web"
)

// evidenceFile is a file part of a top-up body.
type evidenceFile struct {
	name        string
	contentType string // the declared type, which the server ignores
	content     []byte
}

// topUpMultipart encodes a top-up body; a nil file leaves the evidence out.
func topUpMultipart(t testing.TB, fields map[string]string, file *evidenceFile) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if file != nil {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="evidence"; filename="`+file.name+`"`)
		h.Set("Content-Type", file.contentType)
		part, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		part.Write(file.content)
	}
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

// postTopUp sends a top-up through the CMS API as the operator, to env (which may be another
// instance than the operator's).
func postTopUp(t testing.TB, env *apptest.Env, op *apptest.Operator, partner int64, fields map[string]string, file *evidenceFile) *apptest.Response {
	t.Helper()
	body, ct := topUpMultipart(t, fields, file)
	h := op.Headers()
	h["Content-Type"] = ct
	return env.Do(http.MethodPost, partnerPath(partner, "/process-request"), h, body)
}

// createTopUp sends a valid top-up of amount with a PDF and returns the request's id.
func createTopUp(t testing.TB, env *apptest.Env, op *apptest.Operator, partner int64, amount string) int64 {
	t.Helper()
	res := postTopUp(t, env, op, partner, map[string]string{"requestedAmount": amount, "observations": "wire " + amount},
		&evidenceFile{"receipt.pdf", "application/pdf", pdfBytes(t, "Deposit "+amount)})
	res.WantStatus(http.StatusCreated)
	return int64(res.Data()["id"].(float64))
}

func partnerPath(partner int64, rest string) string {
	return "/cms/rest/app/partners/" + itoa(partner) + rest
}

func requestPath(partner, id int64, rest string) string {
	return partnerPath(partner, "/process-request/"+itoa(id)+rest)
}

// pdfBytes is a real one-page PDF.
func pdfBytes(t testing.TB, text string) []byte {
	t.Helper()
	doc, err := pdf.Note(text)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func testImage() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	return img
}

func pngBytes(t testing.TB) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, testImage()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func jpegBytes(t testing.TB) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, testImage(), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// webpBytes has the RIFF/WEBP container header the server checks.
func webpBytes() []byte {
	return append([]byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00"), bytes.Repeat([]byte{0x2f}, 13)...)
}

// sseFrame is one dispatched server-sent event, or a comment line.
// shortHeartbeat makes idle event streams beat every 200 ms, so a test sees heartbeats soon.
func shortHeartbeat(o *web.Options) { o.HeartbeatInterval = 200 * time.Millisecond }

type sseFrame struct {
	ID      string
	Data    string
	Comment string
}

// sseStream reads an event stream in the background.
type sseStream struct {
	t      testing.TB
	res    *http.Response
	frames chan sseFrame
	cancel context.CancelFunc
}

// openStream subscribes to path on the server at base with the headers and fails unless the
// answer is an event stream.
func openStream(t testing.TB, client *http.Client, base, path string, headers map[string]string) *sseStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	req.Header.Set("Accept", "text/event-stream")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := client.Do(req)
	if err != nil {
		cancel()
		t.Fatalf("open stream: %v", err)
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		cancel()
		t.Fatalf("stream answered %d %s: %s", res.StatusCode, res.Header.Get("Content-Type"), b)
	}
	s := &sseStream{t: t, res: res, frames: make(chan sseFrame, 100), cancel: cancel}
	go s.read()
	t.Cleanup(s.Close)
	return s
}

func (s *sseStream) read() {
	defer close(s.frames)
	sc := bufio.NewScanner(s.res.Body)
	var f sseFrame
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if f.Data != "" || f.ID != "" {
				s.frames <- f
			}
			f = sseFrame{}
		case strings.HasPrefix(line, ":"):
			s.frames <- sseFrame{Comment: strings.TrimSpace(line[1:])}
		case strings.HasPrefix(line, "id: "):
			f.ID = line[4:]
		case strings.HasPrefix(line, "data: "):
			f.Data = line[6:]
		}
	}
}

// Close ends the subscription.
func (s *sseStream) Close() {
	s.cancel()
	s.res.Body.Close()
}

// next returns the next event, skipping comments, or fails after the timeout.
func (s *sseStream) next(timeout time.Duration) sseFrame {
	s.t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case f, ok := <-s.frames:
			if !ok {
				s.t.Fatal("the stream ended while an event was expected")
			}
			if f.Comment == "" {
				return f
			}
		case <-deadline:
			s.t.Fatalf("no event within %s", timeout)
		}
	}
}

// nextComment returns the next comment line, skipping events, or fails after the timeout.
func (s *sseStream) nextComment(timeout time.Duration) string {
	s.t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case f, ok := <-s.frames:
			if !ok {
				s.t.Fatal("the stream ended while a comment was expected")
			}
			if f.Comment != "" {
				return f.Comment
			}
		case <-deadline:
			s.t.Fatalf("no comment within %s", timeout)
		}
	}
}

// ended waits for the server to end the stream.
func (s *sseStream) ended(timeout time.Duration) bool {
	deadline := time.After(timeout)
	for {
		select {
		case _, ok := <-s.frames:
			if !ok {
				return true
			}
		case <-deadline:
			return false
		}
	}
}

// quiet reports that no event arrives within d.
func (s *sseStream) quiet(d time.Duration) (sseFrame, bool) {
	deadline := time.After(d)
	for {
		select {
		case f, ok := <-s.frames:
			if !ok {
				return sseFrame{}, true
			}
			if f.Comment == "" {
				return f, false
			}
		case <-deadline:
			return sseFrame{}, true
		}
	}
}
