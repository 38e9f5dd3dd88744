package cluster_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cardconsole/internal/apptest"
	"cardconsole/store"
	"cardconsole/store/storetest"
	"cardconsole/views/pdf"
)

// TestSeveralInstancesBehindHAProxy drives two instances, one database with its streaming replica,
// and HAProxy in front, as production runs them.
func TestSeveralInstancesBehindHAProxy(t *testing.T) {
	w := startWorld(t)
	db := w.set.DatabaseURL
	lb := apptest.Remote(t, db, w.set.URL())
	a := apptest.Remote(t, db, w.set.InstanceURL(0))
	b := apptest.Remote(t, db, w.set.InstanceURL(1))

	partner := lb.Partner("Quetzal Pay", "GTQ")
	// What is under test is the instances sharing sessions, events and keys, not the second factor:
	// the test kit's codes follow its own clock, which the instances in other processes do not share.
	if err := lb.Store.SetSecondFactorPolicy(context.Background(), store.SystemActor("test"), partner, "OFF"); err != nil {
		t.Fatal(err)
	}
	storetest.CreditPartner(t, lb.Store, partner, "100000")
	holder := storetest.Cardholder(t, lb.Store, partner)
	card := storetest.ActiveCard(t, lb.Store, partner, holder)
	maker := lb.Operator("maker@example.com", false, apptest.Grant{Partner: partner, Roles: []string{"maker"}}).Login()
	checker := lb.Operator("checker@example.com", false, apptest.Grant{Partner: partner, Roles: []string{"checker"}}).Login()
	issuer := issuerHeaders(t, lb, partner)

	t.Run("a console session signed in on one instance works on the other", func(t *testing.T) {
		onA := a.Console()
		if res := onA.Login(checker.Email, apptest.Password); res.Status != http.StatusSeeOther {
			t.Fatalf("login on A answered %d", res.Status)
		}
		onB := b.Console()
		onB.Client.Jar = onA.Client.Jar // the browser's cookies: the host is the same, whatever the port
		onB.Get("/", false).WantStatus(http.StatusOK).Contains(checker.Email)
	})

	var topUp int64
	t.Run("an event stream on instance B sees a top-up approved on instance A", func(t *testing.T) {
		topUp = createTopUp(t, lb, maker, partner, "250")
		stream := openStream(t, b.Server.URL+partnerPath(partner, "/process-request/progress"), checker.Headers())
		a.Do(http.MethodPatch, partnerPath(partner, "/process-request/"+itoa(topUp)+"/approve"), checker.Headers(), nil).
			WantStatus(http.StatusNoContent)
		for {
			data := stream.next(t, 10*time.Second)
			var ev struct {
				Topic   string
				Payload struct{ ProcessRequestID int64 }
			}
			if err := json.Unmarshal([]byte(data), &ev); err != nil {
				t.Fatalf("event %s: %v", data, err)
			}
			if ev.Topic == "process-request.approved" && ev.Payload.ProcessRequestID == topUp {
				return
			}
		}
	})

	t.Run("an evidence link signed by A is served by B", func(t *testing.T) {
		d := a.Do(http.MethodGet, partnerPath(partner, "/process-request/"+itoa(topUp)+"/evidence/download"), checker.Headers(), nil).
			WantStatus(http.StatusOK).Data()
		u, err := url.Parse(d["url"].(string))
		if err != nil {
			t.Fatal(err)
		}
		res := b.Do(http.MethodGet, u.RequestURI(), nil, nil).WantStatus(http.StatusOK)
		if !bytes.HasPrefix(res.Body, []byte("%PDF-")) {
			t.Fatalf("B served %q", res.Body[:min(len(res.Body), 40)])
		}
	})

	t.Run("the same reference sent to both instances at once moves money once", func(t *testing.T) {
		before := movementsWith(t, lb.Store, "SAME-REF-1")
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		for i, env := range []*apptest.Env{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = postFunds(env.Server.URL, card.ID, issuer, "SAME-REF-1", "7.25")
			}()
		}
		wg.Wait()
		if got := movementsWith(t, lb.Store, "SAME-REF-1") - before; got != 1 {
			t.Fatalf("%d movements with the reference (answers %v), want 1", got, statuses)
		}
		if statuses[0] != http.StatusOK && statuses[1] != http.StatusOK {
			t.Fatalf("neither instance accepted the operation: %v", statuses)
		}
	})

	t.Run("reads go to the replica while it keeps up, to the primary when it lags", func(t *testing.T) {
		ctx := context.Background()
		replica, err := sql.Open("postgres", w.replica.URL("cardconsole"))
		if err != nil {
			t.Fatal(err)
		}
		defer replica.Close()
		if _, err := replica.Exec(`SELECT pg_wal_replay_pause()`); err != nil {
			t.Fatal(err)
		}
		defer replica.Exec(`SELECT pg_wal_replay_resume()`)
		// Written on the primary while the replica replays nothing: only the primary has it.
		if err := lb.Store.Audit(ctx, store.SystemActor("test"), store.Event{PartnerID: partner, Action: "test.while_paused",
			ObjectType: "partner", ObjectID: partner}); err != nil {
			t.Fatal(err)
		}
		sees := func(maxLag time.Duration, log io.Writer) bool {
			st, err := store.Open(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if err := st.UseReplica(w.replica.URL("cardconsole"), maxLag, slog.New(slog.NewTextHandler(log, nil))); err != nil {
				t.Fatal(err)
			}
			entries, _, err := st.ListAudit(ctx, store.AuditFilter{PartnerIDs: []int64{partner}, Action: "test.",
				Page: store.Page{Number: 1, Limit: 10}})
			if err != nil {
				t.Fatal(err)
			}
			return len(entries) == 1
		}
		if sees(time.Hour, io.Discard) {
			t.Fatal("the audit log was read on the primary while the replica was within an hour's lag")
		}
		var log bytes.Buffer
		if !sees(time.Millisecond, &log) {
			t.Fatal("the audit log was read on a replica lagging beyond the limit")
		}
		if !strings.Contains(log.String(), "reads fall back to the primary") || !strings.Contains(log.String(), "lagging") {
			t.Fatalf("the fallback is not logged: %s", log.String())
		}
	})

	t.Run("with the replica stopped, statements still download", func(t *testing.T) {
		path := partnerPath(partner, "/cardholders/"+itoa(holder)+"/cards/"+itoa(card.ID)+"/movements/")
		query := "?from=2000-01-01&to=" + time.Now().AddDate(0, 0, 2).Format(store.DateLayout)
		for _, env := range []*apptest.Env{a, b} {
			env.Do(http.MethodGet, path+"report"+query, checker.Headers(), nil).WantStatus(http.StatusOK)
		}
		if err := w.replica.Stop(); err != nil {
			t.Fatal(err)
		}
		for _, env := range []*apptest.Env{a, b, lb} {
			if res := env.Do(http.MethodGet, path+"report"+query, checker.Headers(), nil).WantStatus(http.StatusOK); !bytes.HasPrefix(res.Body, []byte("%PDF-")) {
				t.Fatalf("not a PDF: %q", res.Body[:min(len(res.Body), 40)])
			}
			res := env.Do(http.MethodGet, path+"export.csv"+query, checker.Headers(), nil).WantStatus(http.StatusOK)
			if !strings.Contains(string(res.Body), "SAME-REF-1") {
				t.Fatalf("the CSV lacks the movement: %s", res.Body)
			}
		}
		for _, name := range []string{"instance-1.log", "instance-2.log"} {
			log, _ := os.ReadFile(filepath.Join(w.dir, name))
			if !strings.Contains(string(log), "reads fall back to the primary") {
				t.Fatalf("%s does not say that reads fell back to the primary:\n%s", name, log)
			}
		}
	})

	t.Run("stopping one instance mid-load loses no acknowledged operation", func(t *testing.T) {
		var mu sync.Mutex
		acknowledged := map[string]bool{}
		var answered, failed int
		ctx, stop := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for c := 0; c < 8; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := 0; ctx.Err() == nil; n++ {
					ref := fmt.Sprintf("LOAD-%d-%d", c, n)
					status := postFunds(w.set.URL(), card.ID, issuer, ref, "1")
					mu.Lock()
					if status >= 200 && status < 300 {
						acknowledged[ref] = true
						answered++
					} else {
						failed++
					}
					mu.Unlock()
				}
			}()
		}
		time.Sleep(time.Second)
		if err := w.set.StopInstance(0); err != nil {
			t.Error(err)
		}
		time.Sleep(2 * time.Second)
		stop()
		wg.Wait()
		t.Logf("%d operations acknowledged, %d not", answered, failed)
		if answered < 20 {
			t.Fatalf("only %d operations acknowledged: the load did not run", answered)
		}
		// One entry (its movements share an entry id) per operation.
		var refs []string
		if err := lb.Store.DB().Select(&refs, `SELECT DISTINCT ON (entry_id) reference FROM movements WHERE reference LIKE 'LOAD-%'`); err != nil {
			t.Fatal(err)
		}
		inLedger := map[string]bool{}
		for _, r := range refs {
			if inLedger[r] {
				t.Errorf("reference %s moved money twice", r)
			}
			inLedger[r] = true
		}
		for ref := range acknowledged {
			if !inLedger[ref] {
				t.Errorf("operation %s was acknowledged but is not in the ledger", ref)
			}
		}
		// After the stop, the survivor takes everything.
		if got := postFunds(w.set.URL(), card.ID, issuer, "AFTER-STOP", "1"); got != http.StatusOK {
			t.Fatalf("through HAProxy after the stop: %d", got)
		}
	})
}

// issuerHeaders registers an issuer application of the partner and signs it in.
func issuerHeaders(t *testing.T, env *apptest.Env, partner int64) map[string]string {
	t.Helper()
	app, err := env.Store.CreateApplication(context.Background(), store.SystemActor("test"), "issuer app", []int64{partner})
	if err != nil {
		t.Fatal(err)
	}
	res := env.Do(http.MethodPost, "/cms/rest/app/auth/login", nil, map[string]string{"merchant": app.Merchant, "secret": app.Secret})
	res.WantStatus(http.StatusOK)
	return map[string]string{"Authorization": "Bearer " + res.Data()["accessToken"].(string), "x-application-id": app.ApplicationID}
}

// postFunds loads amount on the card through the issuer API at base and returns the status, 0 when
// no answer came.
func postFunds(base string, cardID int64, headers map[string]string, reference, amount string) int {
	body := `{"amount": ` + amount + `, "operation": "ADD_FUNDS", "channel": "WEB", "reference": "` + reference + `"}`
	req, _ := http.NewRequest(http.MethodPost, base+"/rest/cards/"+itoa(cardID)+"/funds", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode
}

// movementsWith counts the ledger entries (operations) carrying the reference.
func movementsWith(t *testing.T, st *store.Store, reference string) int {
	t.Helper()
	var n int
	if err := st.DB().Get(&n, `SELECT count(DISTINCT entry_id) FROM movements WHERE reference = $1`, reference); err != nil {
		t.Fatal(err)
	}
	return n
}

// createTopUp sends a top-up of amount with a PDF receipt as the maker and returns its id.
func createTopUp(t *testing.T, env *apptest.Env, maker *apptest.Operator, partner int64, amount string) int64 {
	t.Helper()
	receipt, err := pdf.Note("Deposit " + amount)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	part, _ := mw.CreateFormFile("evidence", "receipt.pdf")
	part.Write(receipt)
	mw.WriteField("requestedAmount", amount)
	mw.WriteField("observations", "wire "+amount)
	mw.Close()
	h := maker.Headers()
	h["Content-Type"] = mw.FormDataContentType()
	res := env.Do(http.MethodPost, partnerPath(partner, "/process-request"), h, buf.Bytes()).WantStatus(http.StatusCreated)
	return int64(res.Data()["id"].(float64))
}

func partnerPath(partner int64, rest string) string {
	return "/cms/rest/app/partners/" + itoa(partner) + rest
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// stream reads the data lines of an event stream in the background.
type stream struct{ data chan string }

func openStream(t *testing.T, u string, headers map[string]string) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	req.Header.Set("Accept", "text/event-stream")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); res.Body.Close() })
	if res.StatusCode != http.StatusOK {
		t.Fatalf("stream answered %d", res.StatusCode)
	}
	s := &stream{data: make(chan string, 100)}
	go func() {
		defer close(s.data)
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			if line := sc.Text(); strings.HasPrefix(line, "data: ") {
				s.data <- line[6:]
			}
		}
	}()
	return s
}

// next returns the next event's data, or fails after the timeout.
func (s *stream) next(t *testing.T, timeout time.Duration) string {
	t.Helper()
	select {
	case d, ok := <-s.data:
		if !ok {
			t.Fatal("the stream ended")
		}
		return d
	case <-time.After(timeout):
		t.Fatal("no event in time")
	}
	return ""
}
