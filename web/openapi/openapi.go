// Package openapi assembles the OpenAPI 3.1 document of every JSON route from one fragment per
// feature (each a partial document with paths and components), so features extend it side by side.
package openapi

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"sort"
	"sync"

	"github.com/labstack/echo/v4"
)

//go:embed *.json
var fragments embed.FS

var (
	once   sync.Once
	doc    []byte
	docErr error
)

// Document returns the merged document. base.json gives info, servers and shared components; every
// other fragment adds paths and components. A path or component defined twice is an error.
func Document() ([]byte, error) {
	once.Do(func() { doc, docErr = build() })
	return doc, docErr
}

func build() ([]byte, error) {
	names, err := fs.Glob(fragments, "*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var root map[string]any
	if err := readFragment("base.json", &root); err != nil {
		return nil, err
	}
	paths := ensureMap(root, "paths")
	components := ensureMap(root, "components")
	for _, name := range names {
		if name == "base.json" {
			continue
		}
		var frag map[string]any
		if err := readFragment(name, &frag); err != nil {
			return nil, err
		}
		if err := mergeInto(paths, ensureMap(frag, "paths"), name, true); err != nil {
			return nil, err
		}
		for section, entries := range ensureMap(frag, "components") {
			m, _ := entries.(map[string]any)
			if err := mergeInto(ensureMap(components, section), m, name, false); err != nil {
				return nil, err
			}
		}
	}
	addUnavailable(paths)
	return json.MarshalIndent(root, "", "  ")
}

// addUnavailable documents on every operation the 503 (7018) that any route answers while the
// database cannot be reached, so no fragment has to repeat it.
func addUnavailable(paths map[string]any) {
	for _, item := range paths {
		ops, _ := item.(map[string]any)
		for method, op := range ops {
			o, ok := op.(map[string]any)
			if !ok || method == "parameters" {
				continue
			}
			responses := ensureMap(o, "responses")
			if _, set := responses["503"]; !set {
				responses["503"] = map[string]any{"$ref": "#/components/responses/Unavailable"}
			}
		}
	}
}

func readFragment(name string, dst *map[string]any) error {
	b, err := fragments.ReadFile(name)
	if err != nil {
		return fmt.Errorf("openapi: %s: %w", name, err)
	}
	if err := json.Unmarshal(b, dst); err != nil {
		return fmt.Errorf("openapi: %s: %w", name, err)
	}
	return nil
}

func ensureMap(m map[string]any, key string) map[string]any {
	if v, ok := m[key].(map[string]any); ok {
		return v
	}
	v := map[string]any{}
	m[key] = v
	return v
}

// mergeInto adds src's entries to dst. With methods set (paths), a path already present may gain
// other methods; anything else defined twice is an error.
func mergeInto(dst, src map[string]any, from string, methods bool) error {
	for k, v := range src {
		if existing, ok := dst[k]; ok {
			if !methods {
				return fmt.Errorf("openapi: %s redefines %s", from, k)
			}
			// The same path may get more methods from another fragment.
			em, ok1 := existing.(map[string]any)
			vm, ok2 := v.(map[string]any)
			if !ok1 || !ok2 {
				return fmt.Errorf("openapi: %s redefines %s", from, k)
			}
			for method, op := range vm {
				if _, dup := em[method]; dup {
					return fmt.Errorf("openapi: %s redefines %s %s", from, method, k)
				}
				em[method] = op
			}
			continue
		}
		dst[k] = v
	}
	return nil
}

// Serve answers the document at /openapi.json.
func Serve(c echo.Context) error {
	b, err := Document()
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, b)
}
