package views

import (
	"strings"
	"testing"

	"cardconsole/store"
	"cardconsole/web/i18n"
)

// TestEveryCodeOfTheTeamAndBulkScreensHasWords: every permission, resource, role, operator status,
// request status and type, and bulk file kind and status has words in both languages, so a new
// code cannot reach a screen as a code.
func TestEveryCodeOfTheTeamAndBulkScreensHasWords(t *testing.T) {
	var ids []string
	for _, p := range store.Permissions {
		resource, _, _ := strings.Cut(p, ":")
		ids = append(ids, "enum.permission."+p, "enum.resource."+resource)
	}
	for _, r := range store.RoleNames() {
		ids = append(ids, "enum.role."+r)
	}
	for _, s := range statusOptions {
		ids = append(ids, "enum.operator_status."+s)
	}
	for _, s := range store.RequestStatuses {
		ids = append(ids, "enum.request_status."+s)
	}
	for _, typ := range store.RequestTypes {
		ids = append(ids, "enum.request_type."+typ)
	}
	for _, k := range []store.BulkKind{store.BulkCardholders, store.BulkCards, store.BulkPayout} {
		ids = append(ids, "enum.bulk_kind."+string(k), "bulk.kind_"+strings.ToLower(string(k)))
	}
	for _, s := range []string{store.BatchQueued, store.BatchPendingApproval, store.BatchRunning, store.BatchCompleted,
		store.BatchRejected, store.BatchCancelled} {
		ids = append(ids, "enum.bulk_status."+s)
	}
	for _, id := range ids {
		for _, lang := range i18n.Languages {
			if !i18n.Has(lang, id) {
				t.Errorf("%s has no words in %s", id, lang)
			}
		}
	}
}
