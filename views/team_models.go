package views

import "cardconsole/store"

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
