package web

import (
	"os"
	"runtime/debug"
	"testing"
)

func TestTuneGCLeavesAnExplicitGOGCAlone(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	t.Setenv("GOGC", "100")
	TuneGC()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("with GOGC=100 set, the target became %d", got)
	}
	if err := os.Unsetenv("GOGC"); err != nil {
		t.Fatal(err)
	}
	TuneGC()
	if got := debug.SetGCPercent(100); got != serverGCPercent {
		t.Fatalf("without GOGC, the target is %d, want %d", got, serverGCPercent)
	}
}
