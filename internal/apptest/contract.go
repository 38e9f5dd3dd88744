package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// The contract is the OpenAPI document the console serves at /openapi.json, loaded once per test
// binary: every answer a test receives from a documented route is checked against it.
var (
	contractOnce   sync.Once
	contractRouter routers.Router
	contractErr    error
)

// loadContract reads the document from the running console, as a client would.
func (e *Env) loadContract() (routers.Router, error) {
	contractOnce.Do(func() {
		res, err := e.client().Get(e.Server.URL + "/openapi.json")
		if err != nil {
			contractErr = err
			return
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			contractErr = err
			return
		}
		doc, err := openapi3.NewLoader().LoadFromData(b)
		if err != nil {
			contractErr = fmt.Errorf("load /openapi.json: %w", err)
			return
		}
		if err := doc.Validate(context.Background()); err != nil {
			contractErr = fmt.Errorf("/openapi.json is not a valid document: %w", err)
			return
		}
		// The servers list names the local console's address; tests run on random ports.
		doc.Servers = nil
		contractRouter, contractErr = gorillamux.NewRouter(doc)
	})
	return contractRouter, contractErr
}

// checkContract fails the test when an answer of a documented route is not what the document says:
// an undocumented status or content type, a body that does not match the schema, or a member of a
// JSON object that the schema does not declare. Routes the document does not have (the console's
// pages) are the route-coverage test's business. With jsonOnly set (the console's browser-like
// client) only JSON answers are checked, as the document does not describe the console's pages.
func (e *Env) checkContract(req *http.Request, reqBody []byte, res *Response, jsonOnly bool) {
	e.T.Helper()
	if jsonOnly && !isJSON(res.Header.Get("Content-Type")) {
		return
	}
	router, err := e.loadContract()
	if err != nil {
		e.T.Fatalf("OpenAPI contract: %v", err)
	}
	// Route matching needs the request again, with the body the handler read.
	r := req.Clone(context.Background())
	r.Body = io.NopCloser(bytes.NewReader(reqBody))
	route, params, err := router.FindRoute(r)
	if err != nil {
		return
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true,
		AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, SchemaValidationOptions: formats}
	if !isJSON(res.Header.Get("Content-Type")) {
		// PDF, CSV and event streams: the status and the content type are checked, not the bytes.
		opts.ExcludeResponseBody = true
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route, Options: opts},
		Status:                 res.Status,
		Header:                 res.Header,
		Options:                opts,
	}
	in.SetBodyBytes(res.Body)
	where := fmt.Sprintf("%s %s (operation %s) answered %d", req.Method, req.URL.Path, route.Operation.OperationID, res.Status)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		e.T.Fatalf("OpenAPI contract: %s, which the document does not allow: %v\nbody: %s", where, err, res.Body)
	}
	if isJSON(res.Header.Get("Content-Type")) {
		if extra := undocumentedMembers(route.Operation, res); len(extra) > 0 {
			e.T.Fatalf("OpenAPI contract: %s with members the document does not declare: %s\nbody: %s", where, strings.Join(extra, ", "), res.Body)
		}
	}
}

// formats asserts the string formats the document uses beyond the dates kin-openapi checks by
// itself: without a validator, a format is not checked at all.
var formats = []openapi3.SchemaValidationOption{openapi3.WithStringFormatValidators(map[string]openapi3.StringFormatValidator{
	"uri": openapi3.NewCallbackValidator(func(s string) error {
		if u, err := url.Parse(s); err != nil || !u.IsAbs() || u.Host == "" {
			return errors.New("not an absolute URI")
		}
		return nil
	}),
	"email": openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail),
	"uuid":  openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562),
})}

func isJSON(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// undocumentedMembers lists the JSON paths of object members that the response's schema does not
// declare. JSON Schema lets unknown members through unless each schema says otherwise, which
// would let a field reach clients without ever being documented.
func undocumentedMembers(op *openapi3.Operation, res *Response) []string {
	ref := op.Responses.Status(res.Status)
	if ref == nil {
		ref = op.Responses.Default()
	}
	if ref == nil || ref.Value == nil {
		return nil
	}
	mt := ref.Value.Content.Get(res.Header.Get("Content-Type"))
	if mt == nil || mt.Schema == nil {
		return nil
	}
	var v any
	if err := json.Unmarshal(res.Body, &v); err != nil {
		return nil // the schema validation reported it
	}
	var out []string
	walkMembers([]*openapi3.Schema{mt.Schema.Value}, v, "$", &out)
	sort.Strings(out)
	return out
}

// walkMembers checks v against every schema in ss at once: a member is documented when any of
// them (or their allOf/anyOf/oneOf branches) declares it. Schemas that declare no properties at
// all, or allow additional ones, are free-form.
func walkMembers(ss []*openapi3.Schema, v any, at string, out *[]string) {
	flat := flatten(ss, nil)
	switch val := v.(type) {
	case map[string]any:
		props := map[string][]*openapi3.Schema{}
		var extra []*openapi3.Schema
		open, declares := false, false
		for _, s := range flat {
			for name, p := range s.Properties {
				declares = true
				if p != nil && p.Value != nil {
					props[name] = append(props[name], p.Value)
				}
			}
			ap := s.AdditionalProperties
			if ap.Has != nil && *ap.Has {
				open = true
			}
			if ap.Schema != nil && ap.Schema.Value != nil {
				extra = append(extra, ap.Schema.Value)
			}
		}
		for name, child := range val {
			switch {
			case len(props[name]) > 0:
				walkMembers(props[name], child, at+"."+name, out)
			case len(extra) > 0:
				walkMembers(extra, child, at+"."+name, out)
			case declares && !open:
				*out = append(*out, at+"."+name)
			}
		}
	case []any:
		var items []*openapi3.Schema
		for _, s := range flat {
			if s.Items != nil && s.Items.Value != nil {
				items = append(items, s.Items.Value)
			}
		}
		if len(items) == 0 {
			return
		}
		for i, child := range val {
			walkMembers(items, child, fmt.Sprintf("%s[%d]", at, i), out)
		}
	}
}

func flatten(ss []*openapi3.Schema, into []*openapi3.Schema) []*openapi3.Schema {
	for _, s := range ss {
		if s == nil {
			continue
		}
		into = append(into, s)
		for _, group := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
			for _, r := range group {
				if r != nil {
					into = flatten([]*openapi3.Schema{r.Value}, into)
				}
			}
		}
	}
	return into
}
