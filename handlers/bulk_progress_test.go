package handlers_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"cardconsole/store"
)

// progressFrame decodes a batch progress frame: the batch id, a space, then the counts.
func progressFrame(t *testing.T, batchID int64, f sseFrame) map[string]any {
	t.Helper()
	id, rest, ok := strings.Cut(f.Data, " ")
	if !ok || id != itoa(batchID) {
		t.Fatalf("frame %q does not start with the batch id %d", f.Data, batchID)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(rest), &m); err != nil {
		t.Fatalf("frame %q: %v", f.Data, err)
	}
	for _, k := range []string{"processed", "total", "succeeded", "failed", "status"} {
		if _, ok := m[k]; !ok {
			t.Fatalf("frame %q lacks %s", f.Data, k)
		}
	}
	if _, err := strconv.ParseInt(f.ID, 10, 64); err != nil {
		t.Fatalf("frame without an id line: %+v", f)
	}
	return m
}

func TestBulkBatchesListFiltersByKind(t *testing.T) {
	t.Parallel()
	w := newBulkWorld(t)
	id := w.uploadOK(w.maker, "/cardholders/upload", "users", "h.csv", csvBytes(t, ',', cardholderHeader, holderRow(1, "")))
	list := w.checker.Do(http.MethodGet, partnerPath(w.partner, "/batches?kind=cardholders"), nil).WantStatus(http.StatusOK).Data()
	items := list["items"].([]any)
	if list["total"] != float64(1) || len(items) != 1 || items[0].(map[string]any)["id"] != float64(id) {
		t.Fatalf("list %v", list)
	}
	if none := w.checker.Do(http.MethodGet, partnerPath(w.partner, "/batches?kind=PAYOUT"), nil).WantStatus(http.StatusOK).Data(); none["total"] != float64(0) {
		t.Fatalf("payout list %v", none)
	}
	w.checker.Do(http.MethodGet, partnerPath(w.partner, "/batches?kind=OTHER"), nil).WantError(http.StatusBadRequest, "7000")
	for _, file := range []string{"cardholders.csv", "cards.xlsx", "payout.csv"} {
		res := w.maker.Do(http.MethodGet, partnerPath(w.partner, "/batches/templates/"+file), nil).WantStatus(http.StatusOK)
		var rows [][]string
		if strings.HasSuffix(file, ".csv") {
			rows = readCSV(t, res.Body)
		} else {
			rows = readXLSX(t, res.Body)
		}
		if len(rows) != 2 {
			t.Fatalf("template %s: %v, want a header and an example row", file, rows)
		}
	}
}

func TestBulkProgressFramesStartWithTheBatchAndReplayFromLastEventID(t *testing.T) {
	t.Parallel()
	w := newBulkWorldOn(t, smallChunks(t))
	chStock(t, w.env, w.partner, 5)
	rows := [][]string{cardholderHeader}
	for i := range 5 {
		rows = append(rows, holderRow(i, ""))
	}
	id := w.uploadOK(w.maker, "/cardholders/upload", "users", "h.csv", csvBytes(t, ',', rows...))
	path := partnerPath(w.partner, "/cardholders/batch/"+itoa(id)+"/progress")
	s := openStream(t, w.env.Server.Client(), w.env.Server.URL, path, w.maker.Headers())
	first := progressFrame(t, id, s.next(eventWait)) // replayed: the upload
	if first["status"] != store.BatchQueued || first["total"] != float64(5) || first["processed"] != float64(0) {
		t.Fatalf("first frame %v", first)
	}
	w.work()
	var frames []sseFrame
	for {
		f := s.next(eventWait)
		frames = append(frames, f)
		if progressFrame(t, id, f)["status"] == store.BatchCompleted {
			break
		}
	}
	last := progressFrame(t, id, frames[len(frames)-1])
	if last["processed"] != float64(5) || last["succeeded"] != float64(5) || len(frames) < 4 {
		t.Fatalf("final frame %v after %d frames; want one per chunk", last, len(frames))
	}
	if !s.ended(eventWait) {
		t.Fatal("the stream goes on after the final frame")
	}

	// Reconnecting with Last-Event-ID replays only what came after it.
	h := w.maker.Headers()
	h["Last-Event-ID"] = frames[1].ID
	again := openStream(t, w.env.Server.Client(), w.env.Server.URL, path, h)
	if f := again.next(eventWait); f.ID != frames[2].ID {
		t.Fatalf("replay from %s starts at %s, want %s", frames[1].ID, f.ID, frames[2].ID)
	}
	// A checker may watch; an operator with no bulk permission may not.
	openStream(t, w.env.Server.Client(), w.env.Server.URL, path, w.checker.Headers())
	w.env.Do(http.MethodGet, partnerPath(w.partner, "/cardholders/batch/999/progress"), w.maker.Headers(), nil).
		WantError(http.StatusNotFound, "7010")
}
