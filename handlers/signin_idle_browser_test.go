package handlers_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/web"
)

func TestBrowserWarnsBeforeTheIdleLimitAndStaysSignedIn(t *testing.T) {
	// An idle limit of 62 seconds makes the page warn 2 seconds after it loads.
	env := apptest.NewWith(t, handlers.Routes, func(o *web.Options) { o.SessionIdle = 62 * time.Second })
	p := env.Partner("Quetzal Pay", "GTQ")
	env.Operator("viewer@example.com", false, apptest.Grant{Partner: p, Roles: []string{"viewer"}})
	ctx := apptest.Browser(t)
	id := apptest.TestID
	if err := chromedp.Do(ctx, env.LoginActions("viewer@example.com"), chromedp.WaitVisible(id("idle-warning"))); err != nil {
		t.Fatal(err)
	}
	// Only the keep-alive comes after this moment on the console's clock.
	env.AdvanceClock(5 * time.Second)
	if err := chromedp.Do(ctx, chromedp.Click(id("idle-stay")), chromedp.WaitNotVisible(id("idle-warning"))); err != nil {
		t.Fatal(err)
	}
	var kept int
	if err := env.Store.DB().Get(&kept, `SELECT count(*) FROM console_sessions WHERE last_seen_at > created_at`); err != nil || kept != 1 {
		t.Fatalf("the keep-alive did not reach the session (%d, %v)", kept, err)
	}
}
