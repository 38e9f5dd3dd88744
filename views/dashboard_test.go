package views

import (
	"testing"

	"cardconsole/store"
)

func TestWorkCountStopsAtTheCap(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", store.WorkCap: "99", store.WorkCap + 1: "99+"} {
		if got := WorkCount(n); got != want {
			t.Errorf("WorkCount(%d) = %q, want %q", n, got, want)
		}
	}
}
