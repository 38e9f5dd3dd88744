package handlers_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store"
)

// topUpFixture is two partners and their operators, each created and logged in on first use.
type topUpFixture struct {
	*apptest.Fixture
	env          *apptest.Env
	partner      int64
	otherPartner int64
}

func newTopUpFixture(t *testing.T) *topUpFixture {
	t.Helper()
	return newTopUpFixtureOn(t, apptest.New(t, handlers.Routes))
}

// newTopUpFixtureOn builds the top-up fixture on a running console.
func newTopUpFixtureOn(t *testing.T, env *apptest.Env) *topUpFixture {
	t.Helper()
	fx := env.Fixture("Quetzal Pay", "GTQ")
	return &topUpFixture{Fixture: fx, env: fx.Env, partner: fx.Partner, otherPartner: fx.Env.Partner("Andes Wallet", "USD")}
}

func (f *topUpFixture) maker() *apptest.Operator    { return f.Role("maker", "maker") }
func (f *topUpFixture) checker() *apptest.Operator  { return f.Role("checker", "checker") }
func (f *topUpFixture) checker2() *apptest.Operator { return f.Role("checker2", "checker") }
func (f *topUpFixture) admin() *apptest.Operator    { return f.Role("admin", "admin") }
func (f *topUpFixture) viewer() *apptest.Operator   { return f.Role("viewer", "viewer") }

// bothAdmin is an admin of both partners.
func (f *topUpFixture) bothAdmin() *apptest.Operator {
	return f.SignedIn("both", apptest.Grant{Partner: f.partner, Roles: []string{"admin"}},
		apptest.Grant{Partner: f.otherPartner, Roles: []string{"admin"}})
}

// otherAdmin is an admin of the second partner only.
func (f *topUpFixture) otherAdmin() *apptest.Operator {
	return f.SignedIn("other", apptest.Grant{Partner: f.otherPartner, Roles: []string{"admin"}})
}

func (f *topUpFixture) balance(t *testing.T, partner int64) decimal.Decimal {
	t.Helper()
	b, err := f.env.Store.PartnerBalance(context.Background(), partner)
	if err != nil {
		t.Fatal(err)
	}
	return b.Available
}

func TestCreateProcessRequestStoresEvidenceAndListsIt(t *testing.T) {
	t.Parallel()
	f := newTopUpFixture(t)
	pdf := pdfBytes(t, "Wire 10000")
	res := postTopUp(t, f.env, f.maker(), f.partner, map[string]string{"requestedAmount": "10000.5", "observations": "  Wire transfer received  "},
		&evidenceFile{"../../etc/<script>receipt.exe.PDF", "application/octet-stream", pdf}).WantStatus(http.StatusCreated)
	d := res.Data()
	sum := sha256.Sum256(pdf)
	want := map[string]any{"processTypeId": float64(1), "requestedAmount": 10000.5, "currency": "GTQ", "status": "PENDING",
		"observations": "Wire transfer received", "evidenceContentType": "application/pdf", "evidenceSha256": hex.EncodeToString(sum[:]),
		"evidenceSize": float64(len(pdf)), "evidenceFileName": "script_receipt.exe.pdf", "createdByEmail": "maker@example.com",
		"createdBy": float64(f.maker().ID), "reviewedBy": nil}
	for k, v := range want {
		if d[k] != v {
			t.Errorf("%s = %v, want %v", k, d[k], v)
		}
	}
	for _, k := range []string{"id", "clientBalanceId", "evidenceUrl", "createdAt", "updatedAt"} {
		if d[k] == nil || d[k] == "" {
			t.Errorf("item lacks %s: %s", k, res.Body)
		}
	}
	id := int64(d["id"].(float64))
	if !strings.HasSuffix(d["evidenceUrl"].(string), requestPath(f.partner, id, "/evidence/download")) {
		t.Errorf("evidenceUrl = %v", d["evidenceUrl"])
	}
	if !f.balance(t, f.partner).IsZero() {
		t.Error("a pending request must not change the balance")
	}

	// Both listings show it, paginated with a total and not.
	page := f.viewer().Do(http.MethodGet, partnerPath(f.partner, "/process-requests"), nil).WantStatus(http.StatusOK).Data()
	if page["total"] != float64(1) || page["page"] != float64(1) || page["limit"] != float64(10) || len(page["items"].([]any)) != 1 {
		t.Errorf("paginated listing = %v", page)
	}
	var all struct{ Data []store.ProcessRequest }
	f.viewer().Do(http.MethodGet, partnerPath(f.partner, "/process-request"), nil).WantStatus(http.StatusOK).Decode(&all)
	if len(all.Data) != 1 || all.Data[0].ID != id || all.Data[0].Status != "PENDING" {
		t.Errorf("listing = %+v", all.Data)
	}
	// The audit log has the creation.
	var n int
	f.env.Store.DB().Get(&n, `SELECT count(*) FROM audit_log WHERE action = 'process-request.create' AND object_id = $1`, itoa(id))
	if n != 1 {
		t.Errorf("%d audit entries for the creation", n)
	}
}

func TestCreateProcessRequestValidatesFields(t *testing.T) {
	t.Parallel()
	f := newTopUpFixture(t)
	pdf := &evidenceFile{"r.pdf", "application/pdf", pdfBytes(t, "x")}
	cases := []struct {
		name   string
		fields map[string]string
		file   *evidenceFile
		code   string
		field  string
	}{
		{"missing amount", map[string]string{}, pdf, "7000", "requestedAmount"},
		{"zero", map[string]string{"requestedAmount": "0"}, pdf, "7001", "requestedAmount"},
		{"negative", map[string]string{"requestedAmount": "-5"}, pdf, "7001", "requestedAmount"},
		{"words", map[string]string{"requestedAmount": "ten"}, pdf, "7002", "requestedAmount"},
		{"five decimals", map[string]string{"requestedAmount": "1.23456"}, pdf, "7002", "requestedAmount"},
		{"exponent", map[string]string{"requestedAmount": "1e3"}, pdf, "7002", "requestedAmount"},
		{"missing evidence", map[string]string{"requestedAmount": "10"}, nil, "7000", "evidence"},
		{"long observations", map[string]string{"requestedAmount": "10", "observations": strings.Repeat("é", 1001)}, pdf, "7000", "observations"},
		{"empty file", map[string]string{"requestedAmount": "10"}, &evidenceFile{"r.pdf", "application/pdf", nil}, "7000", "evidence"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := postTopUp(t, f.env, f.maker(), f.partner, c.fields, c.file).WantError(http.StatusBadRequest, c.code)
			if got := res.FieldErrors()[c.field]; got != c.code {
				t.Errorf("field errors %v, want %s on %s", res.FieldErrors(), c.code, c.field)
			}
		})
	}
	// Four decimals, and zeros past them, are fine.
	postTopUp(t, f.env, f.maker(), f.partner, map[string]string{"requestedAmount": "1.23450"}, pdf).WantStatus(http.StatusCreated)
	// A JSON body is not an upload.
	f.maker().Do(http.MethodPost, partnerPath(f.partner, "/process-request"), map[string]any{"requestedAmount": 10}).
		WantError(http.StatusUnsupportedMediaType, "7013")
}

func TestEvidenceTypeIsDecidedByMagicBytes(t *testing.T) {
	t.Parallel()
	f := newTopUpFixture(t)
	accepted := []struct {
		file *evidenceFile
		want string
	}{
		{&evidenceFile{"scan.PDF", "application/pdf", pdfBytes(t, "ok")}, "application/pdf"},
		{&evidenceFile{"photo.jpeg", "image/jpeg", jpegBytes(t)}, "image/jpeg"},
		{&evidenceFile{"photo.png", "image/png", pngBytes(t)}, "image/png"},
		{&evidenceFile{"photo.webp", "image/webp", webpBytes()}, "image/webp"},
		// A real PNG under a misleading name and type is still a PNG.
		{&evidenceFile{"invoice.exe", "application/x-msdownload", pngBytes(t)}, "image/png"},
	}
	for _, a := range accepted {
		res := postTopUp(t, f.env, f.maker(), f.partner, map[string]string{"requestedAmount": "1"}, a.file).WantStatus(http.StatusCreated)
		if got := res.Data()["evidenceContentType"]; got != a.want {
			t.Errorf("%s: type %v, want %s", a.file.name, got, a.want)
		}
	}
	disguised := []*evidenceFile{
		{"receipt.pdf", "application/pdf", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>")},
		{"receipt.pdf", "application/pdf", []byte(" %PDF-1.7 with a space before the signature")},
		{"photo.png", "image/png", append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 64)...)},
		{"scan.jpg", "image/jpeg", append([]byte("MZ\x90\x00\x03"), make([]byte, 64)...)},
		{"logo.png", "image/png", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`)},
		{"anim.webp", "image/webp", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00")},
		{"sound.webp", "image/webp", []byte("RIFF\x1a\x00\x00\x00WAVEfmt ")},
		{"archive.pdf", "application/pdf", []byte("PK\x03\x04\x14\x00\x00\x00")},
		{"tiny.jpg", "image/jpeg", []byte{0xFF, 0xD8}},
	}
	for _, d := range disguised {
		res := postTopUp(t, f.env, f.maker(), f.partner, map[string]string{"requestedAmount": "1"}, d).
			WantError(http.StatusUnsupportedMediaType, "7013")
		if res.FieldErrors()["evidence"] != "7013" {
			t.Errorf("%q: %s", d.content, res.Body)
		}
	}
	var n int
	f.env.Store.DB().Get(&n, `SELECT count(*) FROM blobs`)
	if n != len(accepted) {
		t.Errorf("%d files stored, want %d: refused uploads must leave nothing behind", n, len(accepted))
	}
}

func TestEvidenceSizeLimitIsEnforcedWhileStreaming(t *testing.T) {
	t.Parallel()
	f := newTopUpFixture(t)
	exact := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0"), store.EvidenceMaxBytes-9)...)
	res := postTopUp(t, f.env, f.maker(), f.partner, map[string]string{"requestedAmount": "5"}, &evidenceFile{"big.pdf", "application/pdf", exact}).
		WantStatus(http.StatusCreated)
	if res.Data()["evidenceSize"] != float64(store.EvidenceMaxBytes) {
		t.Errorf("size = %v", res.Data()["evidenceSize"])
	}
	over := append(exact, '0')
	res = postTopUp(t, f.env, f.maker(), f.partner, map[string]string{"requestedAmount": "5"}, &evidenceFile{"big.pdf", "application/pdf", over}).
		WantError(http.StatusRequestEntityTooLarge, "7012")
	if res.FieldErrors()["evidence"] != "7012" {
		t.Errorf("413 should name the evidence: %s", res.Body)
	}

	// A 64 MB body is refused without being read: the client could not even send most of it.
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	sent := make(chan int64, 1)
	go func() {
		var n int64
		part, _ := mw.CreateFormFile("evidence", "huge.pdf")
		chunk := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 1<<20-9)...)
		for i := 0; i < 64; i++ {
			k, err := part.Write(chunk)
			n += int64(k)
			if err != nil {
				break
			}
			chunk = bytes.Repeat([]byte("x"), 1<<20)
		}
		mw.Close()
		pw.Close()
		sent <- n
	}()
	req, _ := http.NewRequest(http.MethodPost, f.env.Server.URL+partnerPath(f.partner, "/process-request"), pr)
	for k, v := range f.maker().Headers() {
		req.Header.Set(k, v)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := f.env.Server.Client().Do(req)
	if err != nil {
		t.Fatalf("the server should answer before the upload ends: %v", err)
	}
	resp.Body.Close()
	pr.CloseWithError(fmt.Errorf("test: response received"))
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", resp.StatusCode)
	}
	if n := <-sent; n >= 60<<20 {
		t.Errorf("the server read %d bytes of a 64 MB upload; it should stop soon after 10 MB", n)
	}
	var blobs int
	f.env.Store.DB().Get(&blobs, `SELECT count(*) FROM blobs`)
	if blobs != 1 {
		t.Errorf("%d files stored, want only the one within the limit", blobs)
	}
}

func TestMakerCannotReviewOwnRequest(t *testing.T) {
	t.Parallel()
	f := newTopUpFixture(t)
	// The admin holds approvals:update, yet cannot decide what they created.
	id := createTopUp(t, f.env, f.admin(), f.partner, "100")
	for _, action := range []string{"/approve", "/reject"} {
		f.admin().Do(http.MethodPatch, requestPath(f.partner, id, action), nil).WantError(http.StatusForbidden, "7005")
	}
	// A maker lacks approvals:update altogether.
	other := createTopUp(t, f.env, f.bothAdmin(), f.partner, "50")
	f.maker().Do(http.MethodPatch, requestPath(f.partner, other, "/approve"), nil).WantError(http.StatusForbidden, "7005")
	f.checker().Do(http.MethodPatch, requestPath(f.partner, id, "/approve"), nil).WantStatus(http.StatusNoContent)
	if got := f.balance(t, f.partner); !got.Equal(decimal.NewFromInt(100)) {
		t.Errorf("balance %s, want 100", got)
	}
	var refusals int
	f.env.Store.DB().Get(&refusals, `SELECT count(*) FROM audit_log WHERE action = 'authz.refused' AND object_type = 'process_request'
		AND object_id = $1 AND actor_id = $2`, itoa(id), f.admin().ID)
	if refusals != 2 {
		t.Errorf("%d audited refusals, want 2", refusals)
	}
}

func TestDecidedRequestsConflict(t *testing.T) {
	t.Parallel()
	f := newTopUpFixture(t)
	approved := createTopUp(t, f.env, f.maker(), f.partner, "10")
	rejected := createTopUp(t, f.env, f.maker(), f.partner, "20")
	cancelled := createTopUp(t, f.env, f.maker(), f.partner, "30")
	f.checker().Do(http.MethodPatch, requestPath(f.partner, approved, "/approve"), nil).WantStatus(http.StatusNoContent)
	f.checker().Do(http.MethodPatch, requestPath(f.partner, rejected, "/reject"), nil).WantStatus(http.StatusNoContent)
	f.maker().Do(http.MethodPatch, requestPath(f.partner, cancelled, "/cancel"), nil).WantStatus(http.StatusNoContent)
	for _, id := range []int64{approved, rejected, cancelled} {
		for _, action := range []string{"/approve", "/reject"} {
			f.checker2().Do(http.MethodPatch, requestPath(f.partner, id, action), nil).WantError(http.StatusConflict, "7011")
		}
		f.admin().Do(http.MethodPatch, requestPath(f.partner, id, "/cancel"), nil).WantError(http.StatusConflict, "7011")
	}
	if got := f.balance(t, f.partner); !got.Equal(decimal.NewFromInt(10)) {
		t.Errorf("balance %s, want 10: only the approval credits", got)
	}
	var all struct{ Data []store.ProcessRequest }
	f.viewer().Do(http.MethodGet, partnerPath(f.partner, "/process-request?order=asc"), nil).Decode(&all)
	got := map[int64]store.ProcessRequest{}
	for _, pr := range all.Data {
		got[pr.ID] = pr
	}
	if got[approved].Status != "APPROVED" || *got[approved].ReviewedBy != f.checker().ID || got[approved].DecidedAt == nil ||
		got[rejected].Status != "REJECTED" || got[cancelled].Status != "CANCELLED" || *got[cancelled].CancelledBy != f.maker().ID {
		t.Errorf("states: %+v", all.Data)
	}
	// The approval wrote exactly one TOP_UP movement that names the request.
	var refs []string
	f.env.Store.DB().Select(&refs, `SELECT reference FROM movements WHERE type = 'TOP_UP' AND direction = 'CREDIT'`)
	if len(refs) != 1 || refs[0] != "process-request:"+itoa(approved) {
		t.Errorf("movements %v", refs)
	}
}

func TestRequestsAreScopedToTheirPartner(t *testing.T) {
	t.Parallel()
	f := newTopUpFixture(t)
	id := createTopUp(t, f.env, f.maker(), f.partner, "10")
	// An operator of both partners cannot reach partner 1's request through partner 2's path.
	for _, action := range []string{"/approve", "/reject", "/cancel"} {
		f.bothAdmin().Do(http.MethodPatch, requestPath(f.otherPartner, id, action), nil).WantError(http.StatusNotFound, "7010")
	}
	f.bothAdmin().Do(http.MethodGet, requestPath(f.otherPartner, id, "/evidence/download"), nil).WantError(http.StatusNotFound, "7010")
	f.bothAdmin().Do(http.MethodPatch, requestPath(f.partner, 999999, "/approve"), nil).WantError(http.StatusNotFound, "7010")
	f.bothAdmin().Do(http.MethodPatch, partnerPath(f.partner, "/process-request/abc/approve"), nil).WantError(http.StatusNotFound, "7010")
	// An operator without a grant on the partner gets 403 everywhere.
	f.otherAdmin().Do(http.MethodGet, partnerPath(f.partner, "/process-requests"), nil).WantError(http.StatusForbidden, "7005")
	f.otherAdmin().Do(http.MethodPatch, requestPath(f.partner, id, "/approve"), nil).WantError(http.StatusForbidden, "7005")
	page := f.otherAdmin().Do(http.MethodGet, partnerPath(f.otherPartner, "/process-requests"), nil).WantStatus(http.StatusOK).Data()
	if page["total"] != float64(0) {
		t.Errorf("partner 2 lists partner 1's requests: %v", page)
	}
}

func TestProcessRequestPermissions(t *testing.T) {
	t.Parallel()
	f := newTopUpFixture(t)
	pdf := &evidenceFile{"r.pdf", "application/pdf", pdfBytes(t, "x")}
	postTopUp(t, f.env, f.viewer(), f.partner, map[string]string{"requestedAmount": "1"}, pdf).WantError(http.StatusForbidden, "7005")
	postTopUp(t, f.env, f.checker(), f.partner, map[string]string{"requestedAmount": "1"}, pdf).WantError(http.StatusForbidden, "7005")
	id := createTopUp(t, f.env, f.maker(), f.partner, "10")
	f.viewer().Do(http.MethodPatch, requestPath(f.partner, id, "/approve"), nil).WantError(http.StatusForbidden, "7005")
	// Cancel: another maker may not; the checker lacks the permission; an admin may.
	maker2 := f.env.Operator("maker2@example.com", false, apptest.Grant{Partner: f.partner, Roles: []string{"maker"}}).Login()
	maker2.Do(http.MethodPatch, requestPath(f.partner, id, "/cancel"), nil).WantError(http.StatusForbidden, "7005")
	f.checker().Do(http.MethodPatch, requestPath(f.partner, id, "/cancel"), nil).WantError(http.StatusForbidden, "7005")
	f.admin().Do(http.MethodPatch, requestPath(f.partner, id, "/cancel"), nil).WantStatus(http.StatusNoContent)
	own := createTopUp(t, f.env, maker2, f.partner, "10")
	maker2.Do(http.MethodPatch, requestPath(f.partner, own, "/cancel"), nil).WantStatus(http.StatusNoContent)
	// Lists need balance-management:list.
	nobody := f.env.Operator("nolist@example.com", false, apptest.Grant{Partner: f.partner, Permissions: []string{"users:list"}}).Login()
	for _, p := range []string{"/process-requests", "/process-request", "/top-ups", "/process-request/progress"} {
		nobody.Do(http.MethodGet, partnerPath(f.partner, p), nil).WantError(http.StatusForbidden, "7005")
	}
}

func TestCreateProcessRequestNeedsOTPWhenGranted(t *testing.T) {
	t.Parallel()
	f := newTopUpFixture(t)
	op := f.env.Operator("otp@example.com", true, apptest.Grant{Partner: f.partner, Roles: []string{"maker"},
		Permissions: []string{"balance-management:otp"}}).Login()
	pdf := &evidenceFile{"r.pdf", "application/pdf", pdfBytes(t, "x")}
	postTopUp(t, f.env, op, f.partner, map[string]string{"requestedAmount": "1"}, pdf).WantError(http.StatusForbidden, "7007")
	postTopUp(t, f.env, op, f.partner, map[string]string{"requestedAmount": "1", "otp": "000000"}, pdf).WantError(http.StatusForbidden, "7008")
	code := op.OTP()
	// A mistake in the fields does not spend the code.
	postTopUp(t, f.env, op, f.partner, map[string]string{"requestedAmount": "0", "otp": code}, pdf).WantError(http.StatusBadRequest, "7001")
	postTopUp(t, f.env, op, f.partner, map[string]string{"requestedAmount": "1", "otp": code}, pdf).WantStatus(http.StatusCreated)
	// It is accepted once.
	postTopUp(t, f.env, op, f.partner, map[string]string{"requestedAmount": "1", "otp": code}, pdf).WantError(http.StatusForbidden, "7008")
	// Operators without the otp pair need no code.
	postTopUp(t, f.env, f.maker(), f.partner, map[string]string{"requestedAmount": "1"}, pdf).WantStatus(http.StatusCreated)
}

func TestProcessRequestListingPagesFiltersAndSorts(t *testing.T) {
	t.Parallel()
	f := newTopUpFixture(t)
	var ids []int64
	for i := 1; i <= 12; i++ {
		ids = append(ids, createTopUp(t, f.env, f.maker(), f.partner, fmt.Sprint(i*10)))
	}
	f.checker().Do(http.MethodPatch, requestPath(f.partner, ids[0], "/approve"), nil).WantStatus(http.StatusNoContent)
	f.checker().Do(http.MethodPatch, requestPath(f.partner, ids[1], "/reject"), nil).WantStatus(http.StatusNoContent)

	page := func(q string) map[string]any {
		return f.viewer().Do(http.MethodGet, partnerPath(f.partner, "/process-requests"+q), nil).WantStatus(http.StatusOK).Data()
	}
	p1 := page("")
	if p1["total"] != float64(12) || len(p1["items"].([]any)) != 10 {
		t.Fatalf("page 1: %v", p1)
	}
	if first := p1["items"].([]any)[0].(map[string]any); first["id"] != float64(ids[11]) {
		t.Errorf("newest first: got %v", first["id"])
	}
	if p2 := page("?page=2"); len(p2["items"].([]any)) != 2 {
		t.Errorf("page 2: %v", p2)
	}
	if capped := page("?limit=1000"); capped["limit"] != float64(store.MaxLimit) {
		t.Errorf("limit not capped: %v", capped["limit"])
	}
	if pending := page("?status=pending"); pending["total"] != float64(10) {
		t.Errorf("pending: %v", pending["total"])
	}
	if approved := page("?status=APPROVED"); approved["total"] != float64(1) {
		t.Errorf("approved: %v", approved["total"])
	}
	if byAmount := page("?sort=requestedAmount&order=asc&limit=1"); byAmount["items"].([]any)[0].(map[string]any)["requestedAmount"] != float64(10) {
		t.Errorf("sorted by amount: %v", byAmount["items"])
	}
	if search := page("?q=wire%20120"); search["total"] != float64(1) {
		t.Errorf("search: %v", search["total"])
	}
	if search := page("?q=%25"); search["total"] != float64(0) {
		t.Errorf("a %% in the search must match literally: %v", search["total"])
	}
	f.viewer().Do(http.MethodGet, partnerPath(f.partner, "/process-requests?status=DONE"), nil).WantError(http.StatusBadRequest, "7000")
	f.viewer().Do(http.MethodGet, partnerPath(f.partner, "/process-requests?sort=evil"), nil).WantError(http.StatusBadRequest, "7000")
	var all struct{ Data []store.ProcessRequest }
	f.viewer().Do(http.MethodGet, partnerPath(f.partner, "/process-request?status=PENDING&order=asc"), nil).Decode(&all)
	if len(all.Data) != 10 || all.Data[0].ID != ids[2] {
		t.Errorf("unpaginated pending oldest first: %d items, first %d", len(all.Data), all.Data[0].ID)
	}
}
