package store

// Decision is a reviewer's answer to a PENDING top-up or reversal. Its text is the action the audit
// log records.
type Decision string

// The two decisions.
const (
	Approve Decision = "approve"
	Reject  Decision = "reject"
)
