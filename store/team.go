package store

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Operator statuses: INVITED until the invitation is accepted, ACTIVE, or DISABLED by an admin.
var OperatorStatuses = []string{"ACTIVE", "DISABLED", "INVITED"}

// TeamMember is an operator as a partner's team list shows it: its roles on that partner.
type TeamMember struct {
	ID           int64          `db:"id" json:"id"`
	Email        string         `db:"email" json:"email"`
	Name         string         `db:"name" json:"name"`
	Status       string         `db:"status" json:"status"`
	Roles        pq.StringArray `db:"roles" json:"roles"`
	OTPEnrolled  bool           `db:"otp_enrolled" json:"otpEnrolled"`
	LastSignInAt *time.Time     `db:"last_sign_in_at" json:"lastSignInAt"`
	CreatedAt    time.Time      `db:"created_at" json:"createdAt"`
}

// TeamMemberDetail is a team member with every permission it holds on the partner.
type TeamMemberDetail struct {
	TeamMember
	PartnerID   int64    `json:"partnerId"`
	Permissions []string `json:"permissions"`
}

// TeamFilter selects a page of a partner's team: text in email or name, and a status.
type TeamFilter struct {
	PartnerID int64
	Search    string
	Status    string
	Page      Page
}

const teamColumns = `o.id, o.email, o.name, o.status, o.totp_secret IS NOT NULL AS otp_enrolled, o.last_sign_in_at, o.created_at,
	ARRAY(SELECT r.role FROM operator_roles r WHERE r.operator_id = o.id AND r.partner_id = $1 ORDER BY r.role) AS roles`

// onPartner is true for operators holding any grant on the partner $1.
const onPartner = `(EXISTS (SELECT 1 FROM operator_permissions g WHERE g.operator_id = o.id AND g.partner_id = $1)
	OR EXISTS (SELECT 1 FROM operator_roles g WHERE g.operator_id = o.id AND g.partner_id = $1))`

// ListTeam returns a page of the operators holding any grant on the partner, by email, and the total.
func (s *Store) ListTeam(ctx context.Context, f TeamFilter) ([]TeamMember, int, error) {
	if f.Status != "" && !slices.Contains(OperatorStatuses, f.Status) {
		var v Validation
		v.Add("status", "status must be ACTIVE, DISABLED or INVITED")
		return nil, 0, v.Err()
	}
	var rows []struct {
		TeamMember
		Total int `db:"total"`
	}
	search := strings.TrimSpace(f.Search)
	err := s.db.SelectContext(ctx, &rows, `
		SELECT `+teamColumns+`, count(*) OVER () AS total
		FROM operators o
		WHERE `+onPartner+`
		  AND ($2 = '' OR o.email ILIKE $3 OR o.name ILIKE $3) AND ($4 = '' OR o.status = $4)
		ORDER BY o.email LIMIT $5 OFFSET $6`,
		f.PartnerID, search, likeContains(search), f.Status, f.Page.Limit, f.Page.Offset())
	if err != nil {
		return nil, 0, fmt.Errorf("store: unable to list team: %w", err)
	}
	members := make([]TeamMember, len(rows))
	total := 0
	for i, r := range rows {
		members[i], total = r.TeamMember, r.Total
	}
	if len(rows) == 0 && f.Page.Number > 1 {
		err = s.db.GetContext(ctx, &total, `SELECT count(*) FROM operators o WHERE `+onPartner+`
			AND ($2 = '' OR o.email ILIKE $3 OR o.name ILIKE $3) AND ($4 = '' OR o.status = $4)`,
			f.PartnerID, search, likeContains(search), f.Status)
		if err != nil {
			return nil, 0, fmt.Errorf("store: unable to count team: %w", err)
		}
	}
	return members, total, nil
}

// TeamMemberOf returns an operator holding a grant on the partner, with its permissions there;
// any other operator is not found.
func (s *Store) TeamMemberOf(ctx context.Context, partnerID, operatorID int64) (TeamMemberDetail, error) {
	return teamMemberIn(ctx, s.db, partnerID, operatorID)
}

func teamMemberIn(ctx context.Context, q sqlx.QueryerContext, partnerID, operatorID int64) (TeamMemberDetail, error) {
	d := TeamMemberDetail{PartnerID: partnerID}
	err := sqlx.GetContext(ctx, q, &d.TeamMember, `SELECT `+teamColumns+` FROM operators o WHERE o.id = $2 AND `+onPartner,
		partnerID, operatorID)
	if err != nil {
		return d, notFoundIf(err, "operator")
	}
	d.Permissions, err = permissionsIn(ctx, q, operatorID, partnerID)
	return d, err
}

// permissionsIn lists the permissions an operator holds on a partner, sorted.
func permissionsIn(ctx context.Context, q sqlx.QueryerContext, operatorID, partnerID int64) ([]string, error) {
	perms := []string{}
	err := sqlx.SelectContext(ctx, q, &perms, `SELECT permission FROM operator_permissions
		WHERE operator_id = $1 AND partner_id = $2 ORDER BY permission`, operatorID, partnerID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read permissions: %w", err)
	}
	return perms, nil
}

// rolesCovered lists the roles whose every permission is in perms: the roles an operator still
// carries after its permissions were replaced.
func rolesCovered(perms []string) []string {
	roles := []string{}
	for _, name := range RoleNames() {
		if len(Roles[name]) > 0 && !slices.ContainsFunc(Roles[name], func(p string) bool { return !slices.Contains(perms, p) }) {
			roles = append(roles, name)
		}
	}
	return roles
}

// expandRoles is the sorted, distinct set of permissions plus those of the roles.
func expandRoles(roles, permissions []string) []string {
	set := append([]string{}, permissions...)
	for _, r := range roles {
		set = append(set, Roles[r]...)
	}
	sort.Strings(set)
	return slices.Compact(set)
}

// validateGrants checks roles and permissions against the catalogue.
func validateGrants(roles, permissions []string) error {
	var v Validation
	for _, r := range roles {
		if _, ok := Roles[r]; !ok {
			v.Add("roles", fmt.Sprintf("unknown role %q (one of %s)", r, strings.Join(RoleNames(), ", ")))
		}
	}
	for _, p := range permissions {
		if !ValidPermission(p) {
			v.Add("permissions", fmt.Sprintf("unknown permission %q", p))
		}
	}
	return v.Err()
}
