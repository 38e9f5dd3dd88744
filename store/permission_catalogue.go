package store

import (
	"slices"
	"strings"
)

// permissionWords says in words what each permission of the catalogue lets an operator do: the
// API's descriptions (the console says them in the operator's language, enum.permission.*).
var permissionWords = map[string]string{
	"users:create":                "Invite operators to the team",
	"users:update":                "Change operators' roles and permissions, reset authenticators",
	"users:list":                  "See the team",
	"users:detail":                "See an operator's permissions",
	"users:change_status":         "Disable and enable operators",
	"users:otp":                   "Confirm team changes with a one-time code",
	"bulk-create:create":          "Create cardholders in bulk",
	"cardholders:create":          "Create cardholders",
	"cardholders:update":          "Edit cardholders and assign cards",
	"cardholders:list":            "See the cardholder list",
	"cardholders:detail":          "See a cardholder's details",
	"cardholders:otp":             "Confirm cardholder changes with a one-time code",
	"cards-admin:activate":        "Activate cards",
	"cards-admin:block":           "Block cards",
	"cards-admin:unblock":         "Unblock cards",
	"cards-admin:transfer":        "Transfer funds between cards",
	"cards-admin:addFunds":        "Load funds onto cards",
	"cards-admin:withdrawFunds":   "Withdraw funds from cards",
	"cards-admin:detail":          "See cards and their balances",
	"cards-admin:otp":             "Confirm card operations with a one-time code",
	"cards-admin:balance-account": "Move funds from the partner's balance account",
	"cards-admin:issue":           "Issue stock cards",
	"card-movements:list":         "See card movements and statements",
	"card-movements:detail":       "See a card movement",
	"card-movements:revert":       "Revert card movements",
	"balance-management:create":   "Request balance top-ups",
	"balance-management:list":     "See balance top-ups",
	"balance-management:cancel":   "Cancel balance top-ups",
	"balance-management:otp":      "Confirm top-ups with a one-time code",
	"approvals:list":              "See requests awaiting approval",
	"approvals:detail":            "See a request awaiting approval",
	"approvals:update":            "Approve and reject requests",
	"audit-log:list":              "See the audit log",
}

// PermissionInfo is one entry of the catalogue as the API lists it. Id is the permission's stable
// number: its position in Permissions, which only ever grows at the end.
type PermissionInfo struct {
	ID          int    `json:"id"`
	Name        string `json:"name"`
	Resource    string `json:"resource"`
	Action      string `json:"action"`
	Description string `json:"description"`
}

// RoleInfo is a role as the API lists it: a named bundle of permission ids.
type RoleInfo struct {
	Name        string   `json:"name"`
	Permissions []int    `json:"permissions"`
	Names       []string `json:"permissionNames"`
}

// Catalogue is every permission and role.
type Catalogue struct {
	Permissions []PermissionInfo `json:"permissions"`
	Roles       []RoleInfo       `json:"roles"`
}

// PermissionCatalogue lists the permissions with their ids and descriptions, and the roles.
func PermissionCatalogue() Catalogue {
	var c Catalogue
	for i, p := range Permissions {
		resource, action, _ := strings.Cut(p, ":")
		c.Permissions = append(c.Permissions, PermissionInfo{ID: i + 1, Name: p, Resource: resource, Action: action,
			Description: permissionWords[p]})
	}
	for _, name := range RoleNames() {
		r := RoleInfo{Name: name, Names: expandRoles([]string{name}, nil)}
		for _, p := range r.Names {
			r.Permissions = append(r.Permissions, PermissionIDOf(p))
		}
		c.Roles = append(c.Roles, r)
	}
	return c
}

// PermissionIDOf is the id of a permission name, 0 when it is not in the catalogue.
func PermissionIDOf(name string) int { return slices.Index(Permissions, name) + 1 }

// PermissionName is the name of a permission id, "" when there is none.
func PermissionName(id int) string {
	if id < 1 || id > len(Permissions) {
		return ""
	}
	return Permissions[id-1]
}
