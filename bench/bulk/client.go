package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"cardconsole/store"
)

// client calls the server's API as an issuer's application and its operators do.
type client struct {
	base     string
	http     *http.Client
	appToken string
}

func newClient(base string) *client {
	return &client{base: base, http: &http.Client{Timeout: 10 * time.Minute}}
}

// call sends a request and decodes the envelope's data into out (when not nil); any status but
// want is an error naming the answer.
func (c *client) call(method, path string, headers map[string]string, body io.Reader, want int, out any) error {
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		return err
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != want {
		return &answer{status: res.StatusCode, body: raw, what: method + " " + path}
	}
	if out == nil {
		return nil
	}
	var env struct{ Data json.RawMessage }
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	return json.Unmarshal(env.Data, out)
}

// answer is an unexpected answer of the server.
type answer struct {
	status int
	body   []byte
	what   string
}

func (a *answer) Error() string { return fmt.Sprintf("%s answered %d: %s", a.what, a.status, a.body) }

func jsonBody(v any) io.Reader { b, _ := json.Marshal(v); return bytes.NewReader(b) }

var jsonHeader = map[string]string{"Content-Type": "application/json"}

// signIn logs the application in, then the maker and the checker (password and second factor).
func (w *world) signIn(c *client) (*operator, *operator, error) {
	var tok struct {
		AccessToken string `json:"accessToken"`
	}
	if err := c.call(http.MethodPost, "/cms/rest/app/auth/login", jsonHeader,
		jsonBody(map[string]string{"merchant": w.app.Merchant, "secret": w.app.Secret}), http.StatusOK, &tok); err != nil {
		return nil, nil, err
	}
	c.appToken = tok.AccessToken
	for _, op := range []*operator{&w.maker, &w.checker} {
		if err := op.login(c); err != nil {
			return nil, nil, err
		}
	}
	return &w.maker, &w.checker, nil
}

// login signs the operator in: the password step answers a challenge, which a code completes.
func (op *operator) login(c *client) error {
	h := map[string]string{"Content-Type": "application/json", "Authorization": "Bearer " + c.appToken}
	err := c.call(http.MethodPost, "/cms/rest/app/users/login", h, jsonBody(map[string]string{"email": op.email, "password": password}),
		http.StatusOK, nil)
	a, ok := err.(*answer)
	if !ok || a.status != http.StatusUnauthorized {
		return fmt.Errorf("operator %s: the password step should ask for a second factor: %v", op.email, err)
	}
	var env struct {
		Data struct {
			Challenge string `json:"challenge"`
		}
	}
	if err := json.Unmarshal(a.body, &env); err != nil || env.Data.Challenge == "" {
		return fmt.Errorf("operator %s: no challenge in %s", op.email, a.body)
	}
	var tok struct {
		AccessToken string `json:"accessToken"`
	}
	code, err := op.code()
	if err != nil {
		return err
	}
	if err := c.call(http.MethodPost, "/cms/rest/app/users/login/otp", h,
		jsonBody(map[string]string{"challenge": env.Data.Challenge, "otp": code}), http.StatusOK, &tok); err != nil {
		return err
	}
	op.token = tok.AccessToken
	return nil
}

// code is a valid one-time code the operator has not spent: the server accepts the codes of the
// current 30-second step and of the steps either side, each once.
func (op *operator) code() (string, error) {
	cur := time.Now().Unix() / 30
	for _, step := range []int64{cur, cur + 1, cur - 1} {
		if !op.used[step] {
			op.used[step] = true
			return store.OTPSecretCode(op.secret, time.Unix(step*30, 0))
		}
	}
	time.Sleep(30 * time.Second)
	return op.code()
}

// headers are the CMS headers of the signed-in operator.
func (op *operator) headers(c *client) map[string]string {
	return map[string]string{"Authorization": "Bearer " + c.appToken, "x-user-token": "Bearer " + op.token}
}

// timedBatch is a batch followed to a status, with how long each step took.
type timedBatch struct {
	batch    store.BulkBatch
	answered time.Duration // the upload's answer
	read     time.Duration // until every row was read (the batch left QUEUED)
	applied  time.Duration // from then until the batch reached the status
	total    time.Duration
}

func partnerPath(pid int64, path string) string {
	return "/cms/rest/app/partners/" + strconv.FormatInt(pid, 10) + path
}

// uploadAndWait uploads the file in the form field through the route, with a one-time code, and
// follows the batch until it reaches status.
func uploadAndWait(c *client, op *operator, pid int64, route, field, path, status string) (timedBatch, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	code, err := op.code()
	if err != nil {
		return timedBatch{}, err
	}
	_ = mw.WriteField("otp", code)
	part, err := mw.CreateFormFile(field, filepath.Base(path))
	if err != nil {
		return timedBatch{}, err
	}
	content, err := os.ReadFile(path)
	if err != nil {
		return timedBatch{}, err
	}
	part.Write(content)
	mw.Close()
	h := op.headers(c)
	h["Content-Type"] = mw.FormDataContentType()
	var t timedBatch
	start := time.Now()
	if err := c.call(http.MethodPost, partnerPath(pid, route), h, &buf, http.StatusCreated, &t.batch); err != nil {
		return t, err
	}
	t.answered = time.Since(start)
	if err := follow(c, op, pid, &t, start, status); err != nil {
		return t, err
	}
	return t, nil
}

// follow reads the batch every 100 ms until it reaches status, noting when its rows were all read.
func follow(c *client, op *operator, pid int64, t *timedBatch, start time.Time, status string) error {
	for {
		if err := c.call(http.MethodGet, partnerPath(pid, "/batches/"+strconv.FormatInt(t.batch.ID, 10)), op.headers(c), nil,
			http.StatusOK, &t.batch); err != nil {
			return err
		}
		now := time.Since(start)
		if t.read == 0 && t.batch.Status != store.BatchQueued {
			t.read = now
		}
		if t.batch.Status == status {
			t.total, t.applied = now, now-t.read
			return nil
		}
		if t.batch.Final() {
			return fmt.Errorf("batch %d ended %s, not %s", t.batch.ID, t.batch.Status, status)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// payout uploads the payout file as the maker, waits for it to be read, approves it as the checker
// and follows it until every row is applied; applied is from the approval's request to COMPLETED.
func payout(c *client, maker, checker *operator, pid int64, path string) (timedBatch, error) {
	t, err := uploadAndWait(c, maker, pid, "/disbursements/upload", "file", path, store.BatchPendingApproval)
	if err != nil {
		return t, err
	}
	fmt.Printf("payout file read and checked in %s (total %s %s, covered %v)\n", t.total.Round(time.Millisecond),
		t.batch.AmountTotal, *t.batch.Currency, t.batch.Covered != nil && *t.batch.Covered)
	code, err := checker.code()
	if err != nil {
		return t, err
	}
	h := checker.headers(c)
	h["Content-Type"] = "application/json"
	start := time.Now()
	if err := c.call(http.MethodPatch, partnerPath(pid, "/disbursements/"+strconv.FormatInt(t.batch.ID, 10)+"/approve"), h,
		jsonBody(map[string]string{"otp": code, "onInsufficientFunds": "CONTINUE"}), http.StatusOK, nil); err != nil {
		return t, err
	}
	t.read = 0
	if err := follow(c, checker, pid, &t, start, store.BatchCompleted); err != nil {
		return t, err
	}
	t.applied = t.total
	return t, nil
}
