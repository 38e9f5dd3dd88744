package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestSecurityHeaders: scripts only from the console's files, and Strict-Transport-Security only
// when the console is served over https.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	for _, base := range []string{"http://127.0.0.1:8080", "https://console.example"} {
		_, e := New(Options{BaseURL: base, SessionKey: []byte("0123456789abcdef0123456789abcdef"), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/static/js/console.js", nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d", base, rec.Code)
		}
		csp := rec.Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self';") || strings.Contains(csp, "'unsafe-eval'") {
			t.Errorf("%s: Content-Security-Policy %q", base, csp)
		}
		hsts := rec.Header().Get("Strict-Transport-Security")
		if https := strings.HasPrefix(base, "https:"); https != (hsts != "") || https && !strings.Contains(hsts, "max-age=63072000") {
			t.Errorf("%s: Strict-Transport-Security %q", base, hsts)
		}
	}
}
