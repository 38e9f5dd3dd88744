package web_test

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"cardconsole/internal/apptest"
	"cardconsole/store"
	"cardconsole/web"
)

// streamRoute serves an event stream of a partner's events to anyone, for tests of the stream itself.
func streamRoute(e *echo.Echo, app *web.App) {
	e.GET("/test/stream", func(c echo.Context) error {
		return app.Stream(c, func(context.Context) (store.EventFilter, error) {
			return store.EventFilter{PartnerIDs: []int64{1}}, nil
		})
	})
}

// With the default interval of 15 s, three heartbeats would take longer than the request may.
func TestStreamBeatsAtTheConfiguredInterval(t *testing.T) {
	t.Parallel()
	env := apptest.NewWith(t, streamRoute, func(o *web.Options) { o.HeartbeatInterval = 50 * time.Millisecond })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, env.Server.URL+"/test/stream", nil)
	res, err := env.Server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	lines := bufio.NewScanner(res.Body)
	beats := 0
	for beats < 3 && lines.Scan() {
		if strings.HasPrefix(lines.Text(), ": heartbeat ") {
			beats++
		}
	}
	if beats < 3 {
		t.Fatalf("the stream ended after %d heartbeats: %v", beats, lines.Err())
	}
}
