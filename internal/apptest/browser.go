package apptest

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath finds Debian's Chromium (or CHROMIUM_PATH).
func chromiumPath() string {
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Browser starts a headless Chromium for the test and returns a tab's context, which ends after 90
// seconds; NewTab opens another browser context (a second person) in the same browser. Without
// Chromium the test is skipped, except under CI=true, where it fails.
func Browser(t testing.TB) context.Context {
	t.Helper()
	return BrowserWithin(t, 90*time.Second)
}

// BrowserWithin is Browser for a test that walks many pages in one tab: its context ends after limit.
func BrowserWithin(t testing.TB, limit time.Duration) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("Chromium is not installed: under CI=true the browser tests must run")
		}
		t.Skip("Chromium is not installed; install Debian's chromium package to run browser tests")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, limit)
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// NewTab opens a tab with its own cookies (an incognito-like browser context) in the same browser.
func NewTab(t testing.TB, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	return ctx
}

// LoginActions signs in through the console's login form and waits for the dashboard; when the
// sign-in asks for a one-time code, it types one (enrolling the offered secret first).
func (e *Env) LoginActions(email string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(e.Server.URL+"/login"),
		chromedp.WaitVisible(TestID("login-email")),
		chromedp.SendKeys(TestID("login-email"), email),
		chromedp.SendKeys(TestID("login-password"), Password),
		chromedp.Click(TestID("login-submit")),
		// The dashboard, or the code step: whichever page the sign-in lands on.
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="operator-email"], [data-testid="login-otp"]`)),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			code, err := chromedp.Evaluate[bool](`!!document.querySelector('[data-testid="login-otp"]')`)(ctx, t)
			if err != nil || !code {
				return err
			}
			_, err = e.CodeActions(email)(ctx, t)
			return err
		}),
		chromedp.WaitVisible(TestID("operator-email")),
	)
}

// CodeActions gives the one-time code on the second step of a sign-in, enrolling the secret the
// page shows when the operator had none.
func (e *Env) CodeActions(email string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		enrolling, err := chromedp.Evaluate[bool](`!!document.querySelector('[data-testid="login-enrol-secret"]')`)(ctx, t)
		if err != nil {
			return err
		}
		if enrolling {
			secret, err := chromedp.Text(TestID("login-enrol-secret"))(ctx, t)
			if err != nil {
				return err
			}
			e.Enrolled(email, strings.TrimSpace(secret))
		}
		_, err = chromedp.Steps(
			chromedp.SendKeys(TestID("login-otp"), e.SignInCode(email)),
			chromedp.Click(TestID("login-otp-submit")),
		)(ctx, t)
		return err
	})
}

// TestID is the CSS selector of the element with that data-testid.
func TestID(id string) chromedp.CSS { return chromedp.CSS(`[data-testid="` + id + `"]`) }
