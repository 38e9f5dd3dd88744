package apptest

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
)

// Console is a browser-like HTTP client with a cookie jar, for console routes in handler tests.
type Console struct {
	env    *Env
	Client *http.Client
	CSRF   string // the session's CSRF token, read from the last full page
	// Lang is the browser's Accept-Language: "en" unless a test sets it, since the console's own
	// default is Spanish and most tests read English texts.
	Lang string
}

var (
	csrfField  = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
	csrfHeader = regexp.MustCompile(`hx-headers="([^"]+)"`)
	csrfJSON   = regexp.MustCompile(`"X-CSRF-Token":"([^"]*)"`)
	// enrolSecret is the authenticator secret the code page offers an operator who has none.
	enrolSecret = regexp.MustCompile(`data-testid="login-enrol-secret">([A-Z2-7=]+)<`)
)

// Console returns a client without a session.
func (e *Env) Console() *Console {
	jar, _ := cookiejar.New(nil)
	return &Console{env: e, Lang: "en", Client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// Login signs in through the login form, as a browser does, and keeps the session's CSRF token.
func (c *Console) Login(email, password string) *Response {
	c.env.T.Helper()
	page := c.Get("/login", false)
	m := csrfField.FindSubmatch(page.Body)
	if m == nil {
		c.env.T.Fatalf("login page has no CSRF field: %s", page.Body)
	}
	res := c.PostForm("/login", url.Values{"email": {email}, "password": {password}, "_csrf": {string(m[1])}})
	if res.Status == http.StatusSeeOther && res.Header.Get("Location") == "/login/code" {
		res = c.GiveCode(email)
	}
	if res.Status == http.StatusSeeOther {
		c.Get("/", false)
	}
	return res
}

// SignIn returns a console signed in as the operator through the login form (a second factor
// given by the kit when asked), failing the test unless the sign-in succeeds with a CSRF token.
func (e *Env) SignIn(email string) *Console {
	e.T.Helper()
	c := e.Console()
	c.Login(email, Password).WantStatus(http.StatusSeeOther)
	if c.CSRF == "" {
		e.T.Fatal("no CSRF token after login")
	}
	return c
}

// GiveCode completes the second step of a sign-in as the operator's authenticator would, enrolling
// the secret the page offers when the operator had none.
func (c *Console) GiveCode(email string) *Response {
	c.env.T.Helper()
	page := c.Get("/login/code", false)
	m := csrfField.FindSubmatch(page.Body)
	if m == nil {
		c.env.T.Fatalf("code page has no CSRF field: %s", page.Body)
	}
	if s := enrolSecret.FindSubmatch(page.Body); s != nil {
		c.env.Enrolled(email, string(s[1]))
	}
	return c.PostForm("/login/code", url.Values{"otp": {c.env.SignInCode(email)}, "_csrf": {string(m[1])}})
}

// Get fetches a page, or its HTMX fragment when htmx is set.
func (c *Console) Get(path string, htmx bool) *Response {
	c.env.T.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.env.Server.URL+path, nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	if htmx {
		req.Header.Set("HX-Request", "true")
	}
	res := c.Do(req)
	if m := csrfHeader.FindSubmatch(res.Body); m != nil {
		if t := csrfJSON.FindStringSubmatch(html.UnescapeString(string(m[1]))); t != nil && t[1] != "" {
			c.CSRF = t[1]
		}
	}
	return res
}

// PostForm posts an urlencoded form as a browser would.
func (c *Console) PostForm(path string, form url.Values) *Response {
	c.env.T.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.env.Server.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	return c.Do(req)
}

// HTMX sends an HTMX request with the session's CSRF header; form may be nil. Headers add to or
// replace the request's (HX-Target; an empty X-CSRF-Token sends none).
func (c *Console) HTMX(method, path string, form url.Values, headers ...map[string]string) *Response {
	c.env.T.Helper()
	req := c.formRequest(method, path, form)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", c.CSRF)
	for _, h := range headers {
		for k, v := range h {
			if v == "" {
				req.Header.Del(k)
				continue
			}
			req.Header.Set(k, v)
		}
	}
	return c.Do(req)
}

// Page requests a full page without HTMX, as a plain form would; a form travels urlencoded with
// the session's CSRF token.
func (c *Console) Page(method, path string, form url.Values) *Response {
	c.env.T.Helper()
	if method == http.MethodGet && form == nil {
		return c.Get(path, false)
	}
	req := c.formRequest(method, path, form)
	req.Header.Set("X-CSRF-Token", c.CSRF)
	return c.Do(req)
}

// formRequest is a request for HTML carrying form urlencoded (no body when form is nil).
func (c *Console) formRequest(method, path string, form url.Values) *http.Request {
	c.env.T.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.env.Server.URL+path, body)
	if err != nil {
		c.env.T.Fatalf("request: %v", err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "text/html")
	return req
}

// Do sends a request with the client's cookies; a JSON answer is checked against the OpenAPI document.
func (c *Console) Do(req *http.Request) *Response {
	c.env.T.Helper()
	reqBody := readRequestBody(c.env.T, req)
	if req.Header.Get("Accept-Language") == "" && c.Lang != "" {
		req.Header.Set("Accept-Language", c.Lang)
	}
	res, err := c.Client.Do(req)
	if err != nil {
		c.env.T.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.env.T.Fatalf("read body: %v", err)
	}
	out := &Response{T: c.env.T, Status: res.StatusCode, Header: res.Header, Body: b}
	c.env.checkContract(req, reqBody, out, true)
	return out
}

// Contains fails the test unless the body contains every string.
func (r *Response) Contains(parts ...string) *Response {
	r.T.Helper()
	for _, p := range parts {
		if !strings.Contains(string(r.Body), p) {
			r.T.Fatalf("body lacks %q:\n%s", p, r.Body)
		}
	}
	return r
}

// Lacks fails the test if the body contains any of the strings.
func (r *Response) Lacks(parts ...string) *Response {
	r.T.Helper()
	for _, p := range parts {
		if strings.Contains(string(r.Body), p) {
			r.T.Fatalf("body contains %q:\n%s", p, r.Body)
		}
	}
	return r
}
