package web

import (
	"os"
	"runtime/debug"
)

// serverGCPercent is the garbage collector's target for a process that serves the console. Its
// live heap is a few megabytes, so at Go's default of 100 the collector runs after every few
// megabytes allocated, a few hundred requests, and under load takes about a fifth of the server's
// CPU (docs/performance-funds.md); at 400 it runs a quarter as often, for a heap that stays small.
const serverGCPercent = 400

// TuneGC sets the garbage collector of a serving process, unless GOGC is set in the environment,
// which always wins (as does GOMEMLIMIT, read by the runtime itself).
func TuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(serverGCPercent)
	}
}
