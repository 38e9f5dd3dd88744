package webtest

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

// HTMX sends an HTMX request with the session's CSRF header; form may be nil.
func (c *Console) HTMX(method, path string, form url.Values) *Response {
	c.env.T.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, c.env.Server.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "text/html")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", c.CSRF)
	return c.Do(req)
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
