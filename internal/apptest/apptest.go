// Package apptest runs the console against a fresh database for handler, browser and middleware
// tests, and gives tests API clients for operators with chosen grants, a browser-like console
// client, a DOM query helper and a fixture builder. It depends on web and store only: the caller
// names the routes to mount (handlers.Routes in the handler tests), so package web can test its
// middleware with the same kit.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/store/storetest"
	"cardconsole/web"
)

// Password is the password of every operator a test creates.
const Password = "correct-horse-battery"

// Env is a running console on its own database.
type Env struct {
	T      testing.TB
	Store  *store.Store
	App    *web.App
	Server *httptest.Server
	URL    string // the database URL, for a second instance on the same database

	clockMu sync.Mutex
	clock   time.Time
	appTok  string

	otpMu sync.Mutex
	otp   map[string]*otpSteps // by operator email (otp.go)
}

// Routes mounts a console's routes on the server web.New built (handlers.Routes).
type Routes func(e *echo.Echo, app *web.App)

// New starts the console with routes on a fresh database. Its clock is real time; AdvanceClock
// moves it, so tests can produce several distinct one-time codes.
func New(t testing.TB, routes Routes) *Env {
	t.Helper()
	return newEnv(t, routes, storetest.NewURL(t), nil)
}

// NewWith starts the console with routes on a fresh database, with options changed by configure
// (trusted proxies, other limits, a shorter heartbeat).
func NewWith(t testing.TB, routes Routes, configure func(*web.Options)) *Env {
	t.Helper()
	return newEnv(t, routes, storetest.NewURL(t), configure)
}

// NewOn starts another console instance with routes on an existing database.
func NewOn(t testing.TB, routes Routes, dbURL string) *Env {
	t.Helper()
	return newEnv(t, routes, dbURL, nil)
}

// newEnv starts a console on dbURL: one hour sessions idle after 15 minutes, tokens as in production
// but a one hour refresh limit, passwords hashed at the lowest bcrypt cost.
func newEnv(t testing.TB, routes Routes, dbURL string, configure func(*web.Options)) *Env {
	t.Helper()
	st, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	storetest.Configure(t, st)
	env := &Env{T: t, Store: st, URL: dbURL, clock: time.Now(), otp: map[string]*otpSteps{}}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	opts := web.Options{Store: st, Logger: logger, BaseURL: "http://127.0.0.1",
		SessionKey: []byte("test-session-key-test-session-key!!"), SessionTTL: time.Hour, SessionIdle: 15 * time.Minute,
		TokenTTL: store.TokenTTL{App: time.Hour, Access: 15 * time.Minute, Refresh: time.Hour}, UploadTimeout: web.DefaultTimeouts.Upload}
	if configure != nil {
		configure(&opts)
	}
	app, e := web.New(opts)
	app.Now = env.Now
	routes(e, app)
	env.App = app
	env.Server = httptest.NewServer(e)
	t.Cleanup(func() {
		env.Server.CloseClientConnections()
		env.Server.Close()
		st.Close()
	})
	return env
}

// Remote is an Env for a console running in other processes, at baseURL (an instance, or a load
// balancer in front of several) on the database at dbURL: requests go over the network, fixtures
// are written through a store of the Env's own. Its App is nil and its clock is real time.
func Remote(t testing.TB, dbURL, baseURL string) *Env {
	t.Helper()
	st, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	storetest.Configure(t, st)
	return &Env{T: t, Store: st, URL: dbURL, clock: time.Now(), otp: map[string]*otpSteps{}, Server: &httptest.Server{URL: baseURL}}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// Now is the console's clock.
func (e *Env) Now() time.Time {
	e.clockMu.Lock()
	defer e.clockMu.Unlock()
	return e.clock
}

// AdvanceClock moves the console's clock forward.
func (e *Env) AdvanceClock(d time.Duration) {
	e.clockMu.Lock()
	e.clock = e.clock.Add(d)
	e.clockMu.Unlock()
}

// Operator is an operator made by a test.
type Operator struct {
	ID        int64
	Email     string
	OTPSecret string // set when created with an authenticator
	Token     string // API access token, after Login
	env       *Env
}

// Partner creates a partner and returns its id.
func (e *Env) Partner(name, currency string) int64 {
	e.T.Helper()
	p, err := e.Store.CreatePartner(context.Background(), store.SystemActor("test"), name, currency)
	if err != nil {
		e.T.Fatalf("create partner: %v", err)
	}
	return p.ID
}

// Grant is a grant to give an operator on a partner.
type Grant struct {
	Partner     int64
	Roles       []string
	Permissions []string
}

// Operator creates an operator with the grants; withOTP enrols an authenticator.
func (e *Env) Operator(email string, withOTP bool, grants ...Grant) *Operator {
	e.T.Helper()
	ctx := context.Background()
	created, err := e.Store.CreateOperator(ctx, store.SystemActor("test"), email, Password, withOTP)
	if err != nil {
		e.T.Fatalf("create operator: %v", err)
	}
	op := &Operator{ID: created.ID, Email: email, env: e}
	if created.OTPAuthURI != "" {
		u, _ := url.Parse(created.OTPAuthURI)
		op.OTPSecret = u.Query().Get("secret")
		e.Enrolled(email, op.OTPSecret)
	}
	for _, g := range grants {
		if err := e.Store.Grant(ctx, store.SystemActor("test"), created.ID, g.Partner, g.Roles, g.Permissions); err != nil {
			e.T.Fatalf("grant: %v", err)
		}
	}
	return op
}

// OTP returns a fresh valid code: it advances the console's clock by one step (or more, past the
// steps the kit's sign-ins spent) so that no code is ever reused by accident.
func (o *Operator) OTP() string {
	o.env.T.Helper()
	o.env.AdvanceClock(30 * time.Second)
	return o.env.testCode(o.Email)
}

// CurrentOTP returns the code of the console's current time step without advancing, unless a
// sign-in of the kit spent that step.
func (o *Operator) CurrentOTP() string {
	o.env.T.Helper()
	return o.env.testCode(o.Email)
}

// AppToken returns an application token of a test application serving the given partners.
func (e *Env) AppToken(partners ...int64) string {
	e.T.Helper()
	if e.appTok != "" {
		return e.appTok
	}
	app, err := e.Store.CreateApplication(context.Background(), store.SystemActor("test"), "test app", partners)
	if err != nil {
		e.T.Fatalf("create application: %v", err)
	}
	res := e.Do(http.MethodPost, "/cms/rest/app/auth/login", nil, map[string]string{"merchant": app.Merchant, "secret": app.Secret})
	res.WantStatus(http.StatusOK)
	e.appTok = res.Data()["accessToken"].(string)
	return e.appTok
}

// Login logs the operator in through the API and keeps the access token. When the sign-in needs a
// second factor, the kit gives the code (enrolling the offered secret first if the operator had none).
func (o *Operator) Login() *Operator {
	o.env.T.Helper()
	auth := map[string]string{"Authorization": "Bearer " + o.env.AppToken()}
	res := o.env.Do(http.MethodPost, "/cms/rest/app/users/login", auth, map[string]string{"email": o.Email, "password": Password})
	if res.Status == http.StatusUnauthorized && res.ErrorCode() == string(store.CodeSecondFactorNeeded) {
		ch, _ := res.JSON()["data"].(map[string]any)
		if secret, _ := ch["enrolSecret"].(string); secret != "" {
			o.OTPSecret = secret
			o.env.Enrolled(o.Email, secret)
		}
		res = o.env.Do(http.MethodPost, "/cms/rest/app/users/login/otp", auth,
			map[string]string{"challenge": ch["challenge"].(string), "otp": o.env.SignInCode(o.Email)})
	}
	res.WantStatus(http.StatusOK)
	o.Token = res.Data()["accessToken"].(string)
	return o
}

// Headers are the CMS API headers of the logged-in operator.
func (o *Operator) Headers() map[string]string {
	if o.Token == "" {
		o.Login()
	}
	return map[string]string{"Authorization": "Bearer " + o.env.AppToken(), "x-user-token": "Bearer " + o.Token}
}

// Do calls the CMS API as the operator; body is encoded as JSON unless it is nil.
func (o *Operator) Do(method, path string, body any) *Response {
	o.env.T.Helper()
	return o.env.Do(method, path, o.Headers(), body)
}

// Response is a finished HTTP exchange.
type Response struct {
	T      testing.TB
	Status int
	Header http.Header
	Body   []byte
}

// Do sends a request with the headers and a JSON body (nil for none; a string is sent as is).
func (e *Env) Do(method, path string, headers map[string]string, body any) *Response {
	e.T.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			e.T.Fatalf("encode body: %v", err)
		}
		r = bytes.NewReader(enc)
	}
	req, err := http.NewRequest(method, e.Server.URL+path, r)
	if err != nil {
		e.T.Fatalf("request: %v", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	// Test clients read English unless a test asks otherwise; the console's own default is Spanish.
	req.Header.Set("Accept-Language", "en")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return e.Send(req)
}

// client is the HTTP client of the console: the test server's, or the default one for a Remote console.
func (e *Env) client() *http.Client {
	if c := e.Server.Client(); c != nil {
		return c
	}
	return http.DefaultClient
}

// Send sends a prepared request to the console and checks the answer against the OpenAPI document.
func (e *Env) Send(req *http.Request) *Response {
	e.T.Helper()
	reqBody := readRequestBody(e.T, req)
	res, err := e.client().Do(req)
	if err != nil {
		e.T.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.T.Fatalf("read body: %v", err)
	}
	out := &Response{T: e.T, Status: res.StatusCode, Header: res.Header, Body: b}
	e.checkContract(req, reqBody, out, false)
	return out
}

// readRequestBody keeps a copy of the request's body for the contract check and gives the request
// a fresh reader over it.
func readRequestBody(t testing.TB, req *http.Request) []byte {
	t.Helper()
	if req.Body == nil {
		return nil
	}
	b, err := io.ReadAll(req.Body)
	if err != nil {
		t.Fatalf("read request body: %v", err)
	}
	req.Body.Close()
	req.Body = io.NopCloser(bytes.NewReader(b))
	return b
}

// WantStatus fails the test unless the status is want.
func (r *Response) WantStatus(want int) *Response {
	r.T.Helper()
	if r.Status != want {
		r.T.Fatalf("status %d, want %d; body: %s", r.Status, want, r.Body)
	}
	return r
}

// JSON decodes the body as an object.
func (r *Response) JSON() map[string]any {
	r.T.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		r.T.Fatalf("body is not a JSON object: %v: %s", err, r.Body)
	}
	return m
}

// Data is the success envelope's data object.
func (r *Response) Data() map[string]any {
	r.T.Helper()
	m := r.JSON()
	d, ok := m["data"].(map[string]any)
	if !ok {
		r.T.Fatalf("no data object in %s", r.Body)
	}
	return d
}

// Decode decodes the body into v.
func (r *Response) Decode(v any) {
	r.T.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		r.T.Fatalf("decode: %v: %s", err, r.Body)
	}
}

// ErrorCode is the first error code of an error envelope, checking the envelope's shape.
func (r *Response) ErrorCode() string {
	r.T.Helper()
	m := r.JSON()
	if m["success"] != false {
		r.T.Fatalf("not an error envelope: %s", r.Body)
	}
	errs, ok := m["errors"].([]any)
	if !ok || len(errs) == 0 {
		r.T.Fatalf("error envelope without errors: %s", r.Body)
	}
	return errs[0].(map[string]any)["code"].(string)
}

// WantError fails unless the answer is an error envelope with that status and first code.
func (r *Response) WantError(status int, code string) *Response {
	r.T.Helper()
	r.WantStatus(status)
	if got := r.ErrorCode(); got != code {
		r.T.Fatalf("error code %s, want %s; body: %s", got, code, r.Body)
	}
	return r
}

// FieldErrors returns the validation error messages by field.
func (r *Response) FieldErrors() map[string]string {
	r.T.Helper()
	var env struct {
		Errors []struct {
			Field, Code, Message string
		}
	}
	r.Decode(&env)
	out := map[string]string{}
	for _, e := range env.Errors {
		if e.Field != "" {
			out[e.Field] = e.Code
		}
	}
	return out
}

// Existing is a handle on an operator the test did not create through the kit (one that joined by
// invitation); its authenticator must be known to the kit (Enrolled) when its sign-in needs a code.
func (e *Env) Existing(email string, id int64) *Operator {
	return &Operator{ID: id, Email: email, env: e}
}
