package apptest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// AxeViolation is one rule axe-core found broken on a page, with the elements that break it.
type AxeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		HTML    string `json:"html"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// String prints the violation for a person: the rule, its impact and each element with what to fix.
func (v AxeViolation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s", v.ID, v.Impact, v.Help)
	for _, n := range v.Nodes {
		fmt.Fprintf(&b, "\n    %v\n      %s\n      %s", n.Target, n.HTML, strings.ReplaceAll(n.Summary, "\n", "\n      "))
	}
	return b.String()
}

// AxeBlocking are the rules a console screen must never break whatever axe-core rates their impact:
// one h1, and landmarks a screen reader can tell apart.
var AxeBlocking = map[string]bool{
	"page-has-heading-one":              true,
	"landmark-unique":                   true,
	"landmark-no-duplicate-banner":      true,
	"landmark-no-duplicate-main":        true,
	"landmark-no-duplicate-contentinfo": true,
	"landmark-one-main":                 true,
}

var (
	axeOnce   sync.Once
	axeSource string
	axeErr    error
)

// axeScript is axe-core's browser build from node_modules (npm ci installs it), read once.
func axeScript() (string, error) {
	axeOnce.Do(func() {
		dir, err := os.Getwd()
		if err != nil {
			axeErr = err
			return
		}
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				break
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				axeErr = fmt.Errorf("no go.mod above the test's folder")
				return
			}
			dir = parent
		}
		b, err := os.ReadFile(filepath.Join(dir, "node_modules", "axe-core", "axe.min.js"))
		if err != nil {
			axeErr = fmt.Errorf("read axe-core (run npm ci): %w", err)
			return
		}
		axeSource = string(b)
	})
	return axeSource, axeErr
}

// Axe runs axe-core on the page the tab shows and returns the violations that block: every critical
// or serious one, and the AxeBlocking rules at any impact.
func Axe(t testing.TB, ctx context.Context) []AxeViolation {
	t.Helper()
	src, err := axeScript()
	if err != nil {
		t.Fatal(err)
	}
	found, err := chromedp.Run(ctx,
		chromedp.Evaluate[bool](`!!window.axe`),
	)
	if err != nil {
		t.Fatalf("axe: %v", err)
	}
	if !found {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](src+";undefined")); err != nil {
			t.Fatalf("inject axe-core: %v", err)
		}
	}
	all, err := chromedp.Run(ctx, chromedp.Evaluate[[]AxeViolation](
		`axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("run axe-core: %v", err)
	}
	var blocking []AxeViolation
	for _, v := range all {
		if v.Impact == "critical" || v.Impact == "serious" || AxeBlocking[v.ID] {
			blocking = append(blocking, v)
		}
	}
	return blocking
}
