package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"cardconsole/internal/apptest"
)

// phoneWidth is the narrowest phone the console is laid out for (CSS pixels).
const phoneWidth = 390

// TestBrowserEveryScreenIsAccessibleAndFitsAPhone walks every console screen in Spanish and in
// English, one browser each, with the dialogs open where a screen has them: axe-core finds no
// critical or serious violation (nor a missing h1 or duplicate landmark), and at 390 px wide no
// screen scrolls sideways.
func TestBrowserEveryScreenIsAccessibleAndFitsAPhone(t *testing.T) {
	w := newA11yWorld(t)
	for _, lang := range []string{"es", "en"} {
		t.Run(lang, func(t *testing.T) {
			w.setLanguage(lang)
			ctx := apptest.BrowserWithin(t, 5*time.Minute)
			if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders,
				network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": lang}}); err != nil {
				t.Fatal(err)
			}
			walk := &screenWalk{t: t, ctx: ctx, lang: lang}
			defer func() { // also when a step fails, so that what was found so far is shown
				if len(walk.problems) > 0 {
					t.Errorf("%d problems on the screens in %s:\n\n%s", len(walk.problems), lang, strings.Join(walk.problems, "\n\n"))
				}
			}()
			w.walkScreens(walk)
			t.Logf("%d screens checked in %s", walk.screens, lang)
		})
	}
}

// screenWalk checks screens in one browser tab and collects what it finds wrong.
type screenWalk struct {
	t        *testing.T
	ctx      context.Context
	lang     string // the language every screen must be in
	problems []string
	screens  int
}

// step runs browser steps; a failure ends the walk, showing the page.
func (s *screenWalk) step(what string, steps ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	runSteps(s.t, s.ctx, what, steps...)
}

// check makes sure the page is in the walk's language, runs axe-core on it as it is, then lays it
// out 390 px wide and measures whether it scrolls sideways.
func (s *screenWalk) check(name string) {
	s.t.Helper()
	s.checkIn(name, s.lang)
}

// checkIn is check for a screen whose language is not the walk's: the invitation speaks the
// invitee's language (their partner's country), whatever the browser asks for.
func (s *screenWalk) checkIn(name, want string) {
	s.t.Helper()
	s.screens++
	lang, err := chromedp.Run(s.ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
	if err != nil {
		s.t.Fatal(err)
	}
	if lang != want {
		s.problems = append(s.problems, fmt.Sprintf("%s: shown in %q, want %q", name, lang, want))
	}
	for _, v := range apptest.Axe(s.t, s.ctx) {
		s.problems = append(s.problems, name+": "+v.String())
	}
	if overflow := s.phoneOverflow(); overflow != "" {
		s.problems = append(s.problems, name+": "+overflow)
	}
}

// phoneOverflow lays the page out at phone width and says how wide it is when wider than the screen,
// naming the outermost elements that stick out.
func (s *screenWalk) phoneOverflow() string {
	s.t.Helper()
	var out string
	s.step("phone width", chromedp.EmulateViewport(phoneWidth, 844), chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		r, err := chromedp.Evaluate[struct {
			Scroll int      `json:"scroll"`
			Inner  int      `json:"inner"`
			Wide   []string `json:"wide"`
		}](`(() => {
			const inner = window.innerWidth, scroll = document.documentElement.scrollWidth;
			const wide = [];
			if (scroll > inner) {
				const out = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > inner + 1; };
				for (const e of document.body.querySelectorAll('*')) {
					const r = e.getBoundingClientRect();
					if (out(e) && !out(e.parentElement)) {
						wide.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
							(e.dataset.testid ? '[data-testid=' + e.dataset.testid + ']' : '') + ' right=' + Math.round(r.right));
					}
				}
			}
			return {scroll, inner, wide: wide.slice(0, 8)};
		})()`)(ctx, t)
		if err != nil {
			return err
		}
		if r.Scroll > r.Inner {
			out = fmt.Sprintf("scrolls sideways at %d px: %d px wide; sticking out: %s", r.Inner, r.Scroll, strings.Join(r.Wide, ", "))
		}
		return nil
	}), chromedp.EmulateViewport(1280, 900))
	return out
}

// walkScreens signs the admin in and checks every screen: the public ones first (invitation, login,
// a refused login, one-time code), then each signed-in screen, the search dropdown and the phone menu.
func (w *a11yWorld) walkScreens(s *screenWalk) {
	base := w.env.Server.URL
	id := apptest.TestID
	s.step("invitation", chromedp.Navigate(base+"/invite/"+w.invitation), chReady())
	s.checkIn("invitation", "es") // the partner is Guatemalan
	s.step("login", chromedp.Navigate(base+"/login"), chReady())
	s.check("login")
	s.step("wrong password",
		chromedp.SendKeys(id("login-email"), w.admin.Email),
		chromedp.SendKeys(id("login-password"), "not-the-password"),
		chromedp.Click(id("login-submit")),
		chromedp.WaitVisible(id("login-error")),
		chReady(),
	)
	s.check("login refused")
	s.step("password",
		chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid="login-email"]').value = ''`),
		chromedp.SendKeys(id("login-email"), w.admin.Email),
		chromedp.SendKeys(id("login-password"), apptest.Password),
		chromedp.Click(id("login-submit")),
		chromedp.WaitVisible(id("login-otp")),
		chReady(),
	)
	s.check("one-time code")
	s.step("code", w.env.CodeActions(w.admin.Email), chromedp.WaitVisible(id("operator-email")))

	for _, sc := range w.signedInScreens() {
		steps := []chromedp.Action[chromedp.Void]{chromedp.Navigate(base + sc.path), chReady()}
		if sc.open != "" {
			steps = append(steps, chromedp.Click(chromedp.CSS(sc.open)))
		}
		if sc.wait != "" {
			steps = append(steps, chromedp.WaitVisible(chromedp.CSS(sc.wait)))
		}
		s.step(sc.name, steps...)
		s.check(sc.name)
	}

	s.step("search dropdown",
		chromedp.Navigate(base+"/"), chReady(),
		chromedp.SendKeys(id("search-input"), "Mar"),
		chromedp.WaitVisible(chromedp.CSS(`#search-results [data-search-hit], [data-testid="search-empty"]`)),
	)
	s.check("search dropdown")

	s.step("phone menu",
		chromedp.EmulateViewport(phoneWidth, 844),
		chromedp.Click(id("menu-toggle")),
		chromedp.WaitVisible(id("nav-audit")),
		chPoll(`document.querySelector('[data-testid="menu-toggle"]').getAttribute('aria-expanded') === 'true'`),
	)
	s.check("phone menu")
}
