package handlers_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/web"
)

// slowServer serves env's router on loopback with short read limits, as cmd/cardconsole does with
// the configured ones.
func slowServer(t *testing.T, env *apptest.Env, timeouts web.Timeouts) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := web.NewServer("", env.Server.Config.Handler, timeouts, context.Background())
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// TestTrickledBodiesAreCut opens 200 connections that send a funds request's headers and then
// trickle its body a byte at a time, and 20 that trickle their headers: the server closes every one
// within its read limit. A 9 MB upload sent over a link slower than that limit still succeeds,
// under the longer upload limit.
func TestTrickledBodiesAreCut(t *testing.T) {
	fx := apptest.New(t, handlers.Routes).Fixture("Quetzal", "GTQ")
	env, p := fx.Env, fx.Partner
	maker := env.Operator("maker@example.com", false, apptest.Grant{Partner: p, Roles: []string{"maker"}})
	const readLimit = time.Second
	addr := slowServer(t, env, web.Timeouts{ReadHeader: readLimit, Read: readLimit, Idle: readLimit, Upload: 30 * time.Second})

	var head strings.Builder
	fmt.Fprintf(&head, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n",
		partnerPath(p, "/cardholders/1/cards/funds/add"), addr)
	for k, v := range maker.Headers() {
		fmt.Fprintf(&head, "%s: %s\r\n", k, v)
	}
	head.WriteString("\r\n")

	deadline := 10 * readLimit // the limit plus slack for a loaded machine under the race detector; without the limits they never close
	var wg sync.WaitGroup
	errs := make(chan error, 220)
	trickle := func(prefix string, trickled string) {
		defer wg.Done()
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			errs <- err
			return
		}
		defer conn.Close()
		start := time.Now()
		if _, err := io.WriteString(conn, prefix); err != nil {
			errs <- err
			return
		}
		closed := make(chan struct{})
		go func() {
			// Read whatever the server answers until it closes the connection.
			_, _ = io.Copy(io.Discard, conn)
			close(closed)
		}()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-closed:
				if took := time.Since(start); took > deadline {
					errs <- fmt.Errorf("connection closed after %s, want within %s", took, deadline)
				}
				return
			case <-tick.C:
				if time.Since(start) > deadline {
					errs <- fmt.Errorf("connection still open after %s", time.Since(start))
					return
				}
				_, _ = conn.Write([]byte{trickled[i%len(trickled)]})
			}
		}
	}
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go trickle(head.String(), `{"cardId":1,"amount":1}`)
	}
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go trickle("GET /healthz HTTP/1.1\r\n", "X-Slow: a\r\n")
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	// A real upload, slower than the read limit, within the upload limit.
	pdf := append(pdfBytes(t, "Deposit 5"), bytes.Repeat([]byte("\n%pad"), 9<<20/5)...)
	body, ct := topUpMultipart(t, map[string]string{"requestedAmount": "5"}, &evidenceFile{"receipt.pdf", "application/pdf", pdf})
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+partnerPath(p, "/process-request"), &slowReader{r: bytes.NewReader(body), chunk: len(body) / 25, every: 100 * time.Millisecond})
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", ct)
	for k, v := range maker.Headers() {
		req.Header.Set(k, v)
	}
	start := time.Now()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("slow upload: %v", err)
	}
	defer res.Body.Close()
	reply, _ := io.ReadAll(bufio.NewReader(res.Body))
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("slow upload: %d %s", res.StatusCode, reply)
	}
	if took := time.Since(start); took < readLimit {
		t.Fatalf("the upload took %s, not longer than the read limit: the test proves nothing", took)
	}
}

// slowReader hands out chunk bytes every interval, as a slow link would.
type slowReader struct {
	r     io.Reader
	chunk int
	every time.Duration
}

func (s *slowReader) Read(p []byte) (int, error) {
	time.Sleep(s.every)
	if len(p) > s.chunk {
		p = p[:s.chunk]
	}
	return s.r.Read(p)
}
