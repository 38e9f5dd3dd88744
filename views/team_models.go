package views

import (
	"context"
	"strings"

	"cardconsole/store"
)

// TeamView is a partner's Team screen: filters, a page of operators and the invite form.
type TeamView struct {
	PartnerID int64
	Members   []store.TeamMember
	Pager     Pager
	Search    string
	Status    string
	CanInvite bool
	Roles     []store.RoleInfo
}

// InvitedView is the outcome of an invite shown to the admin: the link to pass on.
type InvitedView struct {
	Email  string
	URL    string
	Mailed bool
}

// InvitationView is the invitation page of an invited operator.
type InvitationView struct {
	Token      string
	Invitation store.PendingInvitation
	Errors     map[string]string
	Error      string
}

// EnrolView is the authenticator step: the QR code as SVG, the secret in text and the code form.
type EnrolView struct {
	Action string // where the code is sent (PUT)
	Secret string
	QRSVG  string
	Error  string
}

// statusOptions are the team list's status filter values.
var statusOptions = []string{"ACTIVE", "DISABLED", "INVITED"}

// MemberView is the operator page of a partner's team: its grants as a checklist by resource and
// what the viewer may change.
type MemberView struct {
	PartnerID       int64
	Member          store.TeamMemberDetail
	Resources       []ResourceGrants
	CanUpdate       bool
	CanChangeStatus bool
	Self            bool
	Message         string
}

// ResourceGrants is one resource's permissions in the checklist.
type ResourceGrants struct {
	Resource    string
	Permissions []PermissionCheck
}

// PermissionCheck is one permission in the checklist and whether the operator holds it.
type PermissionCheck struct {
	Info store.PermissionInfo
	Held bool
}

// NewMemberView groups the catalogue by resource, marking what the member holds.
func NewMemberView(partnerID int64, m store.TeamMemberDetail) MemberView {
	vm := MemberView{PartnerID: partnerID, Member: m}
	held := map[string]bool{}
	for _, p := range m.Permissions {
		held[p] = true
	}
	index := map[string]int{}
	for _, p := range store.PermissionCatalogue().Permissions {
		i, ok := index[p.Resource]
		if !ok {
			i = len(vm.Resources)
			index[p.Resource] = i
			vm.Resources = append(vm.Resources, ResourceGrants{Resource: p.Resource})
		}
		vm.Resources[i].Permissions = append(vm.Resources[i].Permissions, PermissionCheck{Info: p, Held: held[p.Name]})
	}
	return vm
}

// boolText is "true" or "false", for data attributes read by scripts.
func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// PermissionWords says in the request's language what a permission lets an operator do.
func PermissionWords(ctx context.Context, name string) string { return Enum(ctx, "permission", name) }

// RoleNames lists roles in the request's language, comma-separated.
func RoleNames(ctx context.Context, roles []string) string {
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = Enum(ctx, "role", r)
	}
	return strings.Join(out, ", ")
}
