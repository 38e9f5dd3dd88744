package store

import (
	"slices"
	"sort"
	"strings"
)

// Permissions is the catalog of resource:action pairs an operator can be granted per partner
// (spec/README.md), plus audit-log:list for the console's audit page and cards-admin:issue for issuing
// stock cards (docs/cardholders.md).
var Permissions = []string{
	"users:create", "users:update", "users:list", "users:detail", "users:change_status",
	"bulk-create:create",
	"cardholders:create", "cardholders:update", "cardholders:list", "cardholders:detail", "cardholders:otp",
	"cards-admin:activate", "cards-admin:block", "cards-admin:unblock", "cards-admin:transfer",
	"cards-admin:addFunds", "cards-admin:withdrawFunds", "cards-admin:detail", "cards-admin:otp",
	"cards-admin:balance-account", "cards-admin:issue",
	"card-movements:list", "card-movements:detail", "card-movements:revert",
	"balance-management:create", "balance-management:list", "balance-management:cancel", "balance-management:otp",
	"approvals:list", "approvals:detail", "approvals:update",
	"audit-log:list",
	"users:otp",
}

// Roles are named bundles of permissions. None includes an otp pair: those are granted on their own.
var Roles = map[string][]string{
	"viewer": {
		"users:list", "users:detail", "cardholders:list", "cardholders:detail", "cards-admin:detail",
		"card-movements:list", "card-movements:detail", "balance-management:list", "approvals:list", "approvals:detail",
	},
	"maker": {
		"users:list", "users:detail", "cardholders:list", "cardholders:detail", "cardholders:create",
		"cardholders:update", "cards-admin:detail", "cards-admin:activate", "cards-admin:block", "cards-admin:unblock",
		"cards-admin:transfer", "cards-admin:addFunds", "cards-admin:withdrawFunds", "cards-admin:balance-account",
		"card-movements:list", "card-movements:detail", "balance-management:create", "balance-management:list",
		"balance-management:cancel", "bulk-create:create", "approvals:list", "approvals:detail",
	},
	"checker": {
		"users:list", "users:detail", "cardholders:list", "cardholders:detail", "cards-admin:detail",
		"card-movements:list", "card-movements:detail", "card-movements:revert", "balance-management:list",
		"approvals:list", "approvals:detail", "approvals:update",
	},
}

func init() {
	var admin []string
	for _, p := range Permissions {
		if !strings.HasSuffix(p, ":otp") {
			admin = append(admin, p)
		}
	}
	Roles["admin"] = admin
}

// RoleNames lists the roles in a stable order.
func RoleNames() []string {
	names := make([]string, 0, len(Roles))
	for name := range Roles {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// ValidPermission reports whether p is in the catalog.
func ValidPermission(p string) bool { return slices.Contains(Permissions, p) }

// OTPPermission is the pair that makes a one-time code mandatory for a resource's sensitive actions.
func OTPPermission(resource string) string { return resource + ":otp" }

// Grants is what an operator may do on one partner.
type Grants struct {
	PartnerID   int64
	Roles       []string
	Permissions map[string]bool
}

// Has reports whether the grants include the permission.
func (g Grants) Has(permission string) bool { return g.Permissions[permission] }

// HasRole reports whether the operator holds the role on this partner.
func (g Grants) HasRole(role string) bool { return slices.Contains(g.Roles, role) }

// Any reports whether the operator has any grant at all on this partner.
func (g Grants) Any() bool { return len(g.Permissions) > 0 || len(g.Roles) > 0 }

// SecondFactorPermissions approve or move money: an operator holding one on a partner whose policy is
// PRIVILEGED (the default) signs in with a one-time code as well as the password.
var SecondFactorPermissions = []string{
	"approvals:update", "card-movements:revert", "cards-admin:addFunds", "cards-admin:withdrawFunds",
	"cards-admin:transfer", "cards-admin:balance-account", "balance-management:create", "bulk-create:create",
}
