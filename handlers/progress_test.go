package handlers_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store"
)

const eventWait = 10 * time.Second

// decodeEvent reads a frame's JSON and checks that its id line matches the event's id.
func decodeEvent(t *testing.T, f sseFrame) store.LiveEvent {
	t.Helper()
	var ev store.LiveEvent
	if err := json.Unmarshal([]byte(f.Data), &ev); err != nil {
		t.Fatalf("frame data is not JSON: %v: %q", err, f.Data)
	}
	if f.ID != strconv.FormatInt(ev.ID, 10) {
		t.Fatalf("id line %q for event %d", f.ID, ev.ID)
	}
	return ev
}

// payload decodes an event's payload.
func payload(t *testing.T, ev store.LiveEvent) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(ev.Payload, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestProgressCrossesInstancesAndReplaysFromLastEventID(t *testing.T) {
	t.Parallel()
	f := newTopUpFixture(t)
	a := f.env
	b := apptest.NewOn(t, handlers.Routes, a.URL) // a second instance on the same database
	path := partnerPath(f.partner, "/process-request/progress")

	// Subscribed on B, with the checker's API credentials.
	onB := openStream(t, b.Server.Client(), b.Server.URL, path, f.checker().Headers())
	if c := onB.nextComment(eventWait); c != "connected" {
		t.Fatalf("first comment %q", c)
	}

	// Changes made on A reach the subscriber on B, in order, with their payloads.
	id := createTopUp(t, a, f.maker(), f.partner, "300")
	created := decodeEvent(t, onB.next(eventWait))
	if created.Topic != "process-request.created" || created.PartnerID != f.partner {
		t.Fatalf("event %+v", created)
	}
	if p := payload(t, created); p["processRequestId"] != float64(id) || p["status"] != "PENDING" || p["requestedAmount"] != float64(300) {
		t.Errorf("created payload %v", p)
	}
	f.checker().Do(http.MethodPatch, requestPath(f.partner, id, "/approve"), nil).WantStatus(http.StatusNoContent)
	approved := decodeEvent(t, onB.next(eventWait))
	if p := payload(t, approved); approved.Topic != "process-request.approved" || p["available"] != float64(300) ||
		p["actedBy"] != float64(f.checker().ID) || approved.ID <= created.ID {
		t.Errorf("approved event %+v %v", approved, p)
	}
	onB.Close()

	// While nobody listens, two more changes happen.
	second := createTopUp(t, a, f.maker(), f.partner, "40")
	f.maker().Do(http.MethodPatch, requestPath(f.partner, second, "/cancel"), nil).WantStatus(http.StatusNoContent)

	// Reconnecting to A with Last-Event-ID replays exactly what was missed, then goes live.
	h := f.checker().Headers()
	h["Last-Event-ID"] = strconv.FormatInt(approved.ID, 10)
	onA := openStream(t, a.Server.Client(), a.Server.URL, path, h)
	missed1, missed2 := decodeEvent(t, onA.next(eventWait)), decodeEvent(t, onA.next(eventWait))
	if missed1.Topic != "process-request.created" || missed2.Topic != "process-request.cancelled" || missed2.ID <= missed1.ID ||
		missed1.ID <= approved.ID || payload(t, missed1)["processRequestId"] != float64(second) {
		t.Fatalf("replayed %+v then %+v", missed1, missed2)
	}
	third := createTopUp(t, b, f.maker(), f.partner, "7")
	live := decodeEvent(t, onA.next(eventWait))
	if live.Topic != "process-request.created" || payload(t, live)["processRequestId"] != float64(third) || live.ID <= missed2.ID {
		t.Errorf("live after replay %+v", live)
	}
	if extra, quiet := onA.quiet(300 * time.Millisecond); !quiet {
		t.Errorf("an event was sent twice or out of place: %+v", extra)
	}

	// The query parameter works for clients that cannot set the header.
	onB2 := openStream(t, b.Server.Client(), b.Server.URL, path+"?lastEventId="+strconv.FormatInt(missed2.ID, 10), f.checker().Headers())
	if ev := decodeEvent(t, onB2.next(eventWait)); ev.ID != live.ID {
		t.Errorf("replay from the query parameter gave %+v", ev)
	}
}

func TestProgressShowsOnlyThePartnersOfTheSubscriber(t *testing.T) {
	t.Parallel()
	f := newTopUpFixture(t)
	both := f.bothAdmin()
	// Subscribed to the first partner only, though allowed on both.
	s := openStream(t, f.env.Server.Client(), f.env.Server.URL, partnerPath(f.partner, "/process-request/progress"), both.Headers())
	createTopUp(t, f.env, both, f.otherPartner, "99")
	mine := createTopUp(t, f.env, f.maker(), f.partner, "11")
	ev := decodeEvent(t, s.next(eventWait))
	if ev.PartnerID != f.partner || payload(t, ev)["processRequestId"] != float64(mine) {
		t.Fatalf("the first event seen is %+v; the other partner's must be filtered out", ev)
	}
	// Replay is filtered the same way.
	h := both.Headers()
	h["Last-Event-ID"] = "0"
	all := openStream(t, f.env.Server.Client(), f.env.Server.URL, partnerPath(f.otherPartner, "/process-request/progress"), h)
	if ev := decodeEvent(t, all.next(eventWait)); ev.PartnerID != f.otherPartner {
		t.Fatalf("replay crossed partners: %+v", ev)
	}
	if extra, quiet := all.quiet(300 * time.Millisecond); !quiet {
		t.Errorf("replay of the other partner sent %+v", extra)
	}
	// An operator without a grant on the partner cannot subscribe.
	f.env.Do(http.MethodGet, partnerPath(f.partner, "/process-request/progress"), f.otherAdmin().Headers(), nil).
		WantError(http.StatusForbidden, "7005")
}

func TestProgressHeartbeatsAndEndsWhenAccessEnds(t *testing.T) {
	t.Parallel()
	f := newTopUpFixtureOn(t, apptest.NewWith(t, handlers.Routes, shortHeartbeat))
	path := partnerPath(f.partner, "/process-request/progress")

	// Heartbeats are comment lines.
	s := openStream(t, f.env.Server.Client(), f.env.Server.URL, path, f.viewer().Headers())
	s.nextComment(eventWait)
	if c := s.nextComment(eventWait); len(c) < 9 || c[:9] != "heartbeat" {
		t.Fatalf("comment %q, want a heartbeat", c)
	}
	// A revoked grant ends the stream at the next heartbeat.
	if _, err := f.env.Store.DB().Exec(`DELETE FROM operator_permissions WHERE operator_id = $1`, f.viewer().ID); err != nil {
		t.Fatal(err)
	}
	if !s.ended(eventWait) {
		t.Fatal("the stream outlived the grant")
	}

	// Logging out ends a console stream.
	c := f.env.Console()
	c.Login(f.checker().Email, apptest.Password)
	cs := openStream(t, c.Client, f.env.Server.URL, path, nil)
	c.Get("/", false)
	c.HTMX(http.MethodPost, "/logout", nil)
	if !cs.ended(eventWait) {
		t.Fatal("the console stream outlived the session")
	}
}

func TestOldEventsArePruned(t *testing.T) {
	t.Parallel()
	f := newTopUpFixture(t)
	createTopUp(t, f.env, f.maker(), f.partner, "1")
	ctx := t.Context()
	if _, err := f.env.Store.DB().Exec(`UPDATE events SET created_at = now() - interval '2 days'`); err != nil {
		t.Fatal(err)
	}
	createTopUp(t, f.env, f.maker(), f.partner, "2")
	n, err := f.env.Store.PruneEvents(ctx, time.Now().Add(-store.EventRetention))
	if err != nil || n != 1 {
		t.Fatalf("pruned %d, %v; want the one older than the retention", n, err)
	}
	left, err := f.env.Store.EventsAfter(ctx, store.EventFilter{PartnerIDs: []int64{f.partner}}, 0, 10)
	if err != nil || len(left) != 1 {
		t.Fatalf("left %v, %v", left, err)
	}
}
