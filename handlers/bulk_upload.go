package handlers

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
)

// bulkBody is the multipart body of a bulk upload, with the file spooled to a temporary file.
type bulkBody struct {
	OTP      string
	Force    bool
	Kind     string // the console form's choice: cardholders, cards or payout
	FileName string
	path     string
}

// maxBulkBody bounds the whole body: the file plus room for the other fields. The default body
// limit is skipped for upload routes (web.largeBodyRoute).
const maxBulkBody = store.BulkMaxBytes + 256<<10

// Close removes the spooled file.
func (b *bulkBody) Close() {
	if b.path != "" {
		os.Remove(b.path)
	}
}

func bulkTooLarge(field string) error {
	msg := fmt.Sprintf("the file must be at most %d MB", store.BulkMaxBytes>>20)
	return &store.Error{Code: store.CodePayloadTooLarge, Message: msg,
		Fields: []store.FieldError{{Field: field, Code: store.CodePayloadTooLarge, Message: msg}}}
}

// readBulkBody streams the multipart body: the file field is copied to a temporary file, stopping
// one byte past the size limit (413); the otp and force fields are read with a small cap.
func readBulkBody(c echo.Context, field string) (*bulkBody, error) {
	b := &bulkBody{}
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, maxBulkBody)
	mr, err := r.MultipartReader()
	if err != nil {
		return b, store.NewError(store.CodeUnsupportedMedia, "the body must be multipart/form-data with the file in the field "+field)
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return b, bulkBodyError(err, field)
		}
		var v string
		switch part.FormName() {
		case field:
			if b.path != "" {
				return b, store.NewError(store.CodeCheckParameters, "send a single file")
			}
			err = b.spool(part, field)
		case "otp":
			v, err = readField(part)
			b.OTP = strings.TrimSpace(v)
		case "kind":
			v, err = readField(part)
			b.Kind = strings.TrimSpace(v)
		case "force":
			v, err = readField(part)
			b.Force = strings.EqualFold(strings.TrimSpace(v), "true")
		default:
			_, err = io.Copy(io.Discard, part)
		}
		if err != nil {
			return b, err
		}
	}
	if b.path == "" {
		msg := "the file is required in the field " + field
		return b, &store.Error{Code: store.CodeCheckParameters, Message: msg,
			Fields: []store.FieldError{{Field: field, Code: store.CodeCheckParameters, Message: msg}}}
	}
	return b, nil
}

// spool copies the file part to a temporary file until it ends or passes the size limit.
func (b *bulkBody) spool(part *multipart.Part, field string) error {
	f, err := os.CreateTemp("", "cardconsole-upload-*")
	if err != nil {
		return fmt.Errorf("handlers: unable to spool upload: %w", err)
	}
	defer f.Close()
	b.path, b.FileName = f.Name(), part.FileName()
	n, err := io.Copy(f, io.LimitReader(part, store.BulkMaxBytes+1))
	if err != nil {
		return bulkBodyError(err, field)
	}
	if n > store.BulkMaxBytes {
		return bulkTooLarge(field)
	}
	return nil
}

// bulkBodyError turns a failure to read the body into 413 past the limit, else 400.
func bulkBodyError(err error, field string) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return bulkTooLarge(field)
	}
	return store.NewError(store.CodeCheckParameters, "the multipart body could not be read")
}
