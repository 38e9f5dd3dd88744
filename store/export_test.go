package store

// SetSparseMatches changes the threshold between the two search strategies for a test and returns
// a function that restores it.
func SetSparseMatches(n int) (restore func()) {
	old := sparseMatches
	sparseMatches = n
	return func() { sparseMatches = old }
}
