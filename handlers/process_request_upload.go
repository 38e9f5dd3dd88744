package handlers

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
)

// topUpBody is the multipart body of a new top-up, with the evidence spooled to a temporary file.
type topUpBody struct {
	Amount       string
	Observations string
	OTP          string
	FileName     string
	Kind         store.EvidenceKind
	file         *os.File
}

// Limits of the multipart body besides the evidence itself.
const (
	maxTopUpField = 8 << 10 // a text field; observations are at most 1000 characters
	// maxTopUpBody bounds the whole body: the evidence plus room for the other fields and the
	// multipart headers. The default body limit is skipped for this route (web.largeBodyRoute).
	maxTopUpBody = store.EvidenceMaxBytes + 256<<10
)

// evidence returns the spooled file, rewound, or nil when none was sent.
func (b *topUpBody) evidence() (io.Reader, error) {
	if b.file == nil {
		return nil, nil
	}
	if _, err := b.file.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("handlers: unable to rewind evidence: %w", err)
	}
	return b.file, nil
}

// Close removes the spooled file.
func (b *topUpBody) Close() {
	if b.file != nil {
		b.file.Close()
		os.Remove(b.file.Name())
	}
}

func tooLarge(field string) error {
	msg := fmt.Sprintf("the evidence file must be at most %d MB", store.EvidenceMaxBytes>>20)
	e := store.NewError(store.CodePayloadTooLarge, msg)
	if field != "" {
		e.Fields = []store.FieldError{{Field: field, Code: store.CodePayloadTooLarge, Message: msg}}
	} else {
		e.Message = "the request body is too large"
	}
	return e
}

func unsupportedEvidence() error {
	msg := "the evidence must be a PDF, JPEG, PNG or WEBP file; its content says it is none of these"
	return &store.Error{Code: store.CodeUnsupportedMedia, Message: msg,
		Fields: []store.FieldError{{Field: "evidence", Code: store.CodeUnsupportedMedia, Message: msg}}}
}

// readTopUpBody streams the multipart body part by part: text fields are read with a small cap,
// and the evidence is checked by its first bytes and copied to a temporary file, stopping as soon
// as it passes the size limit. The body is never read whole into memory, and reading stops at the
// first refusal: 413 past the limit, 415 for a type other than PDF, JPEG, PNG or WEBP.
func readTopUpBody(c echo.Context) (*topUpBody, error) {
	b := &topUpBody{}
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, maxTopUpBody)
	mr, err := r.MultipartReader()
	if err != nil {
		return b, store.NewError(store.CodeUnsupportedMedia, "the body must be multipart/form-data with an evidence file")
	}
	seen := map[string]bool{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return b, nil
		}
		if err != nil {
			return b, bodyError(err, "")
		}
		// A repeated amount would leave the reviewer and the ledger reading different values.
		if name := part.FormName(); name != "evidence" && seen[name] {
			var v store.Validation
			v.Add(name, name+" is given more than once")
			return b, v.Err()
		}
		seen[part.FormName()] = true
		switch part.FormName() {
		case "evidence":
			if b.file != nil {
				return b, store.NewError(store.CodeCheckParameters, "send a single evidence file")
			}
			if err := b.spool(part); err != nil {
				return b, err
			}
		case "requestedAmount":
			b.Amount, err = readField(part)
		case "observations":
			b.Observations, err = readField(part)
		case "otp":
			b.OTP, err = readField(part)
		default:
			_, err = io.Copy(io.Discard, part)
		}
		if err != nil {
			return b, err
		}
	}
}

// readField reads a text field of at most maxTopUpField bytes.
func readField(part *multipart.Part) (string, error) {
	v, err := io.ReadAll(io.LimitReader(part, maxTopUpField+1))
	if err != nil {
		return "", bodyError(err, "")
	}
	if len(v) > maxTopUpField {
		return "", &store.Error{Code: store.CodeCheckParameters, Message: "invalid parameters",
			Fields: []store.FieldError{{Field: part.FormName(), Code: store.CodeCheckParameters, Message: "this field is too long"}}}
	}
	return string(v), nil
}

// spool checks the evidence's type from its first bytes, then copies it to a temporary file until
// it ends or passes the size limit.
func (b *topUpBody) spool(part *multipart.Part) error {
	head := make([]byte, store.EvidenceSniffBytes)
	n, err := io.ReadFull(part, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return bodyError(err, "evidence")
	}
	if n == 0 {
		return &store.Error{Code: store.CodeCheckParameters, Message: "invalid parameters",
			Fields: []store.FieldError{{Field: "evidence", Code: store.CodeCheckParameters, Message: "the evidence file is empty"}}}
	}
	kind, ok := store.EvidenceType(head[:n])
	if !ok {
		return unsupportedEvidence()
	}
	f, err := os.CreateTemp("", "cardconsole-evidence-*")
	if err != nil {
		return fmt.Errorf("handlers: unable to spool evidence: %w", err)
	}
	b.file, b.FileName, b.Kind = f, part.FileName(), kind
	if _, err := f.Write(head[:n]); err != nil {
		return fmt.Errorf("handlers: unable to spool evidence: %w", err)
	}
	// One byte past the limit is enough to know the file is too large.
	copied, err := io.Copy(f, io.LimitReader(part, store.EvidenceMaxBytes-int64(n)+1))
	if err != nil {
		return bodyError(err, "evidence")
	}
	if int64(n)+copied > store.EvidenceMaxBytes {
		return tooLarge("evidence")
	}
	return nil
}

// bodyError turns a failure to read the body into 413 when the body limit was passed, else 400.
func bodyError(err error, field string) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return tooLarge(field)
	}
	return store.NewError(store.CodeCheckParameters, "the multipart body could not be read")
}
