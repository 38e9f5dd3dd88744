package views

import (
	"context"
	"strconv"
	"time"

	"cardconsole/store"
)

// ExactUTC is a time to the second in UTC, the audit log's exact time for matching other systems' logs.
func ExactUTC(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") + " UTC" }

// AuditObject names an audit entry's object for people: its kind in words and its name where it
// has one ("Cardholder María Ramírez", "Operator ana@example.com"), else its number.
func AuditObject(ctx context.Context, e store.AuditEntry) string {
	if e.ObjectType == "" {
		return ""
	}
	kind := capitalize(Enum(ctx, "audit_object", e.ObjectType))
	switch {
	case e.ObjectLabel != "":
		return kind + " " + e.ObjectLabel
	case e.ObjectID == "":
		return kind
	}
	if _, err := strconv.ParseInt(e.ObjectID, 10, 64); err == nil {
		return kind + " #" + e.ObjectID
	}
	return kind + " " + e.ObjectID
}

// auditPartner is the name of an entry's partner.
func auditPartner(partners []store.PartnerSummary, e store.AuditEntry) string {
	if e.PartnerName != "" {
		return e.PartnerName
	}
	return partnerName(partners, *e.PartnerID)
}
