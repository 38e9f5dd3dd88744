package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
)

// bodyField names the whole body in a field error that belongs to no single field.
const bodyField = "body"

// bindStrict reads a money route's body: a JSON body through decodeStrict, a console form through
// bind. A lenient decoder would run a request whose meaning is ambiguous ({"amount":1,"amount":9})
// or carries data nobody reads ({"cardId":3,"amount":1}xyz), so those are refused before any money
// moves.
func bindStrict(c echo.Context, dst any) error {
	if !strings.HasPrefix(c.Request().Header.Get(echo.HeaderContentType), echo.MIMEApplicationJSON) {
		return bind(c, dst)
	}
	raw, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return store.NewError(store.CodeCheckParameters, "the request body could not be read")
	}
	return decodeStrict(raw, dst)
}

// decodeStrict decodes exactly one JSON value from raw into dst, refusing with 7000, field by
// field, a duplicate name in any object, a name dst does not have, a value of the wrong type and
// anything after the value but white space.
func decodeStrict(raw []byte, dst any) error {
	var v store.Validation
	if name, ok := duplicateName(raw); ok {
		v.Add(name, name+" is given more than once")
		return v.Err()
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typeErr) && typeErr.Field != "":
			v.Add(typeErr.Field, typeErr.Field+" must be a JSON "+typeErr.Value+" of another type: expected "+typeErr.Type.String())
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			v.Add(name, "unknown field "+name)
		default:
			v.Add(bodyField, "the request body must be one JSON object")
		}
		return v.Err()
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		v.Add(bodyField, "the request body must hold one JSON object and nothing after it")
		return v.Err()
	}
	return nil
}

// maxDepth bounds the nesting duplicateName follows, as encoding/json bounds its own.
const maxDepth = 1000

// duplicateName returns the first name given twice in one object of raw, as a dotted path.
// Malformed JSON reports nothing here: the decoder refuses it next.
func duplicateName(raw []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	name, _ := scanValue(dec, "", 0)
	return name, name != ""
}

// scanValue reads one value from dec and returns the path of its first duplicate name.
func scanValue(dec *json.Decoder, path string, depth int) (string, error) {
	if depth > maxDepth {
		return "", errors.New("too deep")
	}
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	switch tok {
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			t, err := dec.Token()
			if err != nil {
				return "", err
			}
			name, _ := t.(string)
			full := name
			if path != "" {
				full = path + "." + name
			}
			if seen[name] {
				return full, nil
			}
			seen[name] = true
			if dup, err := scanValue(dec, full, depth+1); dup != "" || err != nil {
				return dup, err
			}
		}
	case json.Delim('['):
		for dec.More() {
			if dup, err := scanValue(dec, path, depth+1); dup != "" || err != nil {
				return dup, err
			}
		}
	default:
		return "", nil
	}
	_, err = dec.Token() // the closing delimiter
	return "", err
}
