package store

// ForceSearchStrategy makes every search collect its matches (or walk the sort's index) for a
// test, and returns a function that restores the choice by cost.
func ForceSearchStrategy(collect bool) (restore func()) {
	old := collectMatches
	collectMatches = func(int, int, Page) bool { return collect }
	return func() { collectMatches = old }
}
