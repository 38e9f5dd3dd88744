package handlers_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"cardconsole/internal/apptest"
)

// consoleUpload posts a top-up form as the console does: multipart, with the CSRF header, and as an
// HTMX request when htmx is set.
func consoleUpload(t *testing.T, env *apptest.Env, c *apptest.Console, partner int64, fields map[string]string, file *evidenceFile, htmx bool) *apptest.Response {
	t.Helper()
	body, ct := topUpMultipart(t, fields, file)
	req, _ := http.NewRequest(http.MethodPost, env.Server.URL+partnerPath(partner, "/process-request"), bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Accept", "text/html")
	req.Header.Set("X-CSRF-Token", c.CSRF)
	if htmx {
		req.Header.Set("HX-Request", "true")
	}
	return c.Do(req)
}

func TestTopUpsConsoleScreens(t *testing.T) {
	t.Parallel()
	f := newTopUpFixture(t)
	maker := f.env.Console()
	maker.Login(f.maker().Email, apptest.Password)
	checker := f.env.Console()
	checker.Login(f.checker().Email, apptest.Password)
	pdf := &evidenceFile{"receipt.pdf", "application/pdf", pdfBytes(t, "x")}

	// The partner page loads the section; the section and the page serve HTMX and full pages.
	maker.Get(partnerPath(f.partner, ""), false).WantStatus(http.StatusOK).Contains(`hx-get="/cms/rest/app/partners/` + itoa(f.partner) + `/top-ups"`)
	maker.Get(partnerPath(f.partner, "/top-ups"), true).WantStatus(http.StatusOK).
		WantSelectors(`[id="top-ups"]`, `[data-testid="top-up-form"]`).
		Contains(`sse-connect="/cms/rest/app/partners/`+itoa(f.partner)+`/process-request/progress"`,
			`accept="application/pdf,.pdf,image/jpeg,.jpg,image/png,.png,image/webp,.webp,.jpeg"`, "at most 10 MB",
			"No top-ups are waiting for review.", "No top-ups match these filters.").
		Lacks("<html")
	maker.Get(partnerPath(f.partner, "/top-ups"), false).WantStatus(http.StatusOK).
		WantSelectors(`[id="balance-card"]`, `[id="top-ups"]`).
		Contains("<html")
	// API clients get the screen's data.
	screen := f.viewer().Do(http.MethodGet, partnerPath(f.partner, "/top-ups"), nil).WantStatus(http.StatusOK).Data()
	if screen["balance"].(map[string]any)["currency"] != "GTQ" || screen["pending"] == nil ||
		screen["history"].(map[string]any)["items"] == nil || screen["history"].(map[string]any)["total"] != float64(0) {
		t.Errorf("screen data %v", screen)
	}
	// A checker may not create: no form.
	checker.Get(partnerPath(f.partner, "/top-ups"), true).WantStatus(http.StatusOK).Lacks(`data-testid="top-up-form"`)

	// A bad amount comes back as the form with the error beside the field, keeping what was typed.
	bad := consoleUpload(t, f.env, maker, f.partner, map[string]string{"requestedAmount": "12,50", "observations": "keep me"}, pdf, true)
	bad.WantStatus(http.StatusUnprocessableEntity).
		WantSelectors(`[id="top-up-form"]`, `[data-testid="error-requestedAmount"]`).
		Contains("keep me", "Choose the file again")
	// So does a disguised file.
	consoleUpload(t, f.env, maker, f.partner, map[string]string{"requestedAmount": "5"}, &evidenceFile{"a.pdf", "application/pdf", []byte("<html>")}, true).
		WantStatus(http.StatusUnprocessableEntity).
		WantSelectors(`[data-testid="error-evidence"]`).
		Contains("PDF, JPEG, PNG or WEBP")
	// Without the CSRF header the upload is refused before its body is read.
	saved := maker.CSRF
	maker.CSRF = "forged"
	consoleUpload(t, f.env, maker, f.partner, map[string]string{"requestedAmount": "5"}, pdf, true).WantStatus(http.StatusForbidden)
	maker.CSRF = saved

	// Success: a fresh form, a flash, and an event that refreshes the lists.
	ok := consoleUpload(t, f.env, maker, f.partner, map[string]string{"requestedAmount": "1500", "observations": "Wire 1500"}, pdf, true)
	ok.WantStatus(http.StatusCreated).
		WantSelectors(`[id="top-up-form"]`).
		Contains(`hx-swap-oob="afterbegin:#flash"`, "sent for review").
		Lacks("Wire 1500</textarea>")
	if ok.Header.Get("HX-Trigger") != "process-requests-changed" {
		t.Errorf("HX-Trigger %q", ok.Header.Get("HX-Trigger"))
	}
	// A plain form post (no HTMX) is redirected to the screen with a flash.
	page := consoleUpload(t, f.env, maker, f.partner, map[string]string{"requestedAmount": "20"}, pdf, false).WantStatus(http.StatusSeeOther)
	if page.Header.Get("Location") != partnerPath(f.partner, "/top-ups") {
		t.Errorf("Location %q", page.Header.Get("Location"))
	}
	maker.Get(partnerPath(f.partner, "/top-ups"), false).
		WantSelectors(`[data-testid="flash-success"]`).
		Contains("Top-up #2 of Q 20.00 sent for review.")

	// The queue: the maker sees their requests without review buttons but with cancel; the checker
	// sees approve and reject with a confirmation, and no cancel.
	queue := partnerPath(f.partner, "/process-request?status=PENDING&order=asc")
	mq := maker.Get(queue, true).WantStatus(http.StatusOK).
		WantSelectors(`[id="pr-queue"]`, `[data-testid="pr-own"]`, `[data-testid="pr-cancel"]`).
		Contains(`hx-trigger="sse:message, process-requests-changed from:body"`, "1,500.00").
		Lacks(`data-testid="pr-approve"`, "<html")
	_ = mq
	checker.Get(queue, true).WantStatus(http.StatusOK).
		WantSelectors(`[data-testid="pr-approve"]`, `[data-testid="pr-reject"]`, `[data-testid="pr-age"]`,
			`[data-testid="pr-preview"]`).
		Contains("hx-confirm=", "maker@example.com").
		Lacks(`data-testid="pr-cancel"`, `data-testid="pr-own"`)
	checker.Get(queue, false).WantStatus(http.StatusOK).WantSelectors(`[id="pr-queue"]`).Contains("<html")

	// History: HTMX table and full page, filtered.
	checker.Get(partnerPath(f.partner, "/process-requests?status=PENDING"), true).WantStatus(http.StatusOK).
		WantSelectors(`[id="pr-history"]`, `[data-testid="pr-history-row"]`).
		Contains("1–2 of 2").Lacks("<html")
	checker.Get(partnerPath(f.partner, "/process-requests?status=APPROVED"), false).WantStatus(http.StatusOK).
		WantSelectors(`[id="pr-history"]`).
		Contains("<html", "No top-ups match these filters.", `<option value="APPROVED" selected`)

	// Approving from the console: a flash and the events that refresh the queue and the balance.
	res := checker.HTMX(http.MethodPatch, requestPath(f.partner, 1, "/approve"), nil).WantStatus(http.StatusOK).
		Contains(`hx-swap-oob="afterbegin:#flash"`, "Top-up #1 of Q 1,500.00 approved")
	if res.Header.Get("HX-Trigger") != "process-requests-changed, balance-changed" {
		t.Errorf("HX-Trigger %q", res.Header.Get("HX-Trigger"))
	}
	checker.Get(partnerPath(f.partner, "/balance"), true).Contains("1,500.00")
	// Errors come back as the alert, not as a page.
	checker.HTMX(http.MethodPatch, requestPath(f.partner, 1, "/approve"), nil).WantStatus(http.StatusConflict).
		WantSelectors(`[data-testid="error-alert"]`).
		Contains("already APPROVED")
	maker.HTMX(http.MethodPatch, requestPath(f.partner, 2, "/cancel"), nil).WantStatus(http.StatusOK).Contains("Top-up #2 was cancelled.")
	checker.Get(partnerPath(f.partner, "/process-requests"), true).Contains(`data-testid="pr-status">approved<`, `data-testid="pr-status">cancelled<`, "cancelled by maker@example.com", "checker@example.com")
}

func TestTopUpFormAsksForOTPWhenRequired(t *testing.T) {
	t.Parallel()
	f := newTopUpFixture(t)
	op := f.env.Operator("otp@example.com", true, apptest.Grant{Partner: f.partner, Roles: []string{"maker"},
		Permissions: []string{"balance-management:otp"}})
	c := f.env.Console()
	c.Login(op.Email, apptest.Password)
	c.Get(partnerPath(f.partner, "/top-ups"), true).WantSelectors(`[data-testid="otp-dialog"]`).Contains(`form="top-up-form"`)
	pdf := &evidenceFile{"receipt.pdf", "application/pdf", pdfBytes(t, "x")}
	res := consoleUpload(t, f.env, c, f.partner, map[string]string{"requestedAmount": "5", "otp": "123"}, pdf, true)
	res.WantStatus(http.StatusUnprocessableEntity).WantSelectors(`[data-testid="error-otp"]`)
	if !strings.Contains(string(res.Body), `value="5"`) {
		t.Error("the amount typed was lost")
	}
	consoleUpload(t, f.env, c, f.partner, map[string]string{"requestedAmount": "5", "otp": op.OTP()}, pdf, true).WantStatus(http.StatusCreated)
}
