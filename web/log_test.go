package web_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"cardconsole/web"
)

// A load balancer's health checks would fill the request log: a healthy answer is logged at debug
// level only, while other requests and a failing check stay at info and above.
func TestHealthChecksStayOutOfTheRequestLog(t *testing.T) {
	t.Parallel()
	var log bytes.Buffer
	_, e := web.New(web.Options{Logger: slog.New(slog.NewTextHandler(&log, nil)), BaseURL: "http://127.0.0.1",
		SessionKey: []byte("test-session-key-test-session-key!!")})
	healthy := true
	e.GET("/healthz", func(c echo.Context) error {
		if healthy {
			return c.NoContent(http.StatusOK)
		}
		return c.NoContent(http.StatusServiceUnavailable)
	})
	e.GET("/other", func(c echo.Context) error { return c.NoContent(http.StatusOK) })
	get := func(path string) {
		e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
	}
	get("/healthz")
	get("/other")
	if strings.Contains(log.String(), "path=/healthz") || !strings.Contains(log.String(), "path=/other") {
		t.Fatalf("request log: %s", log.String())
	}
	healthy = false
	get("/healthz")
	if !strings.Contains(log.String(), "path=/healthz status=503") {
		t.Fatalf("a failing health check is not logged: %s", log.String())
	}
}
