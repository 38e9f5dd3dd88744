package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// GranterPermission is what an operator needs on a partner to change other operators' grants; the
// last-admin rule keeps at least one ACTIVE operator holding it on every partner.
const GranterPermission = "users:update"

// teamChange runs a change to a partner's team in one transaction. A refusal (a business error) is
// rolled back and then audited as action+".refused" with its reason, so refusals leave a trace too.
func (s *Store) teamChange(ctx context.Context, actor Actor, partnerID, targetID int64, action string, fn func(tx *sqlx.Tx) error) error {
	err := s.inTx(ctx, fn)
	if e, ok := AsError(err); ok && e.Code != CodeNotFound && e.Code != CodeCheckParameters {
		if aerr := s.Audit(ctx, actor, Event{PartnerID: partnerID, Action: action + ".refused", ObjectType: "operator",
			ObjectID: targetID, After: map[string]any{"code": e.Code, "reason": e.Message}}); aerr != nil {
			return aerr
		}
	}
	return err
}

// lockPartners locks the partners' rows in id order, so concurrent team changes on a partner are
// serialised and the last-admin rule is checked against committed state.
func lockPartners(ctx context.Context, tx *sqlx.Tx, partnerIDs ...int64) error {
	ids := slices.Clone(partnerIDs)
	slices.Sort(ids)
	var found []int64
	if err := tx.SelectContext(ctx, &found, `SELECT id FROM partners WHERE id = ANY($1) ORDER BY id FOR UPDATE`, pq.Int64Array(ids)); err != nil {
		return fmt.Errorf("store: unable to lock partner: %w", err)
	}
	if len(found) == 0 {
		return NotFound("partner")
	}
	return nil
}

// checkGrantRules refuses a grant change by the actor: nobody changes their own grants, and nobody
// grants a permission they do not hold on the partner themselves.
func checkGrantRules(ctx context.Context, tx *sqlx.Tx, actor Actor, partnerID, targetID int64, before, after []string) error {
	if actor.Type != ActorOperator {
		return nil
	}
	if actor.OperatorID == targetID {
		return NewError(CodeForbidden, "you cannot change your own permissions; ask another admin")
	}
	held, err := permissionsIn(ctx, tx, actor.OperatorID, partnerID)
	if err != nil {
		return err
	}
	for _, p := range after {
		if !slices.Contains(before, p) && !slices.Contains(held, p) {
			return NewError(CodeForbidden, "you cannot grant "+p+": you do not hold it on this partner")
		}
	}
	return nil
}

// ensureGranters applies the last-admin rule inside tx after a change: every partner keeps at least
// one ACTIVE operator holding GranterPermission.
func ensureGranters(ctx context.Context, tx *sqlx.Tx, partnerIDs ...int64) error {
	for _, id := range partnerIDs {
		var ok bool
		err := tx.GetContext(ctx, &ok, `SELECT EXISTS (
			SELECT 1 FROM operator_permissions p JOIN operators o ON o.id = p.operator_id
			WHERE p.partner_id = $1 AND p.permission = $2 AND o.status = 'ACTIVE')`, id, GranterPermission)
		if err != nil {
			return fmt.Errorf("store: unable to check the partner's admins: %w", err)
		}
		if !ok {
			return NewError(CodeLastAdmin, "this change would leave the partner without an active operator who can grant permissions (users:update); give another operator that permission first")
		}
	}
	return nil
}

// writeGrants replaces an operator's grants on a partner with perms, the roles being those whose
// every permission is kept.
func writeGrants(ctx context.Context, tx *sqlx.Tx, operatorID, partnerID int64, perms []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM operator_permissions WHERE operator_id = $1 AND partner_id = $2`, operatorID, partnerID); err != nil {
		return fmt.Errorf("store: unable to replace permissions: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM operator_roles WHERE operator_id = $1 AND partner_id = $2`, operatorID, partnerID); err != nil {
		return fmt.Errorf("store: unable to replace roles: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO operator_permissions (operator_id, partner_id, permission)
		SELECT $1, $2, unnest($3::text[])`, operatorID, partnerID, pq.Array(perms)); err != nil {
		return fmt.Errorf("store: unable to grant permissions: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO operator_roles (operator_id, partner_id, role)
		SELECT $1, $2, unnest($3::text[])`, operatorID, partnerID, pq.Array(rolesCovered(perms))); err != nil {
		return fmt.Errorf("store: unable to grant roles: %w", err)
	}
	return nil
}

// grantsState is what the audit log keeps of an operator's grants on a partner, before or after.
func grantsState(d TeamMemberDetail) map[string]any {
	return map[string]any{"roles": []string(d.Roles), "permissions": d.Permissions}
}

// GrantPair is one grant as the API writes it: a permission of the catalogue on a partner.
type GrantPair struct {
	PermissionID int   `json:"permissionId"`
	PartnerID    int64 `json:"partnerId"`
}

// ReplacePermissions replaces the operator's permissions on the partner with the pairs' (OTP
// elevation is the caller's). Every pair must name that partner; the actor may not change their own
// grants nor grant what they do not hold, and the partner must keep an active operator able to grant.
func (s *Store) ReplacePermissions(ctx context.Context, actor Actor, partnerID, operatorID int64, pairs []GrantPair) (TeamMemberDetail, error) {
	var v Validation
	names := make([]string, 0, len(pairs))
	for i, g := range pairs {
		name := PermissionName(g.PermissionID)
		if name == "" {
			v.Add(fmt.Sprintf("permissions[%d].permissionId", i), fmt.Sprintf("unknown permission id %d", g.PermissionID))
		}
		names = append(names, name)
	}
	if err := v.Err(); err != nil {
		return TeamMemberDetail{}, err
	}
	perms := expandRoles(nil, names)
	var out TeamMemberDetail
	err := s.teamChange(ctx, actor, partnerID, operatorID, "operator.permissions", func(tx *sqlx.Tx) error {
		for _, g := range pairs {
			if g.PartnerID != partnerID {
				return NewError(CodeForbidden, "every grant must name the partner of the path; change another partner's grants there")
			}
		}
		if err := lockPartners(ctx, tx, partnerID); err != nil {
			return err
		}
		before, err := teamMemberIn(ctx, tx, partnerID, operatorID)
		if err != nil {
			return err
		}
		if err := checkGrantRules(ctx, tx, actor, partnerID, operatorID, before.Permissions, perms); err != nil {
			return err
		}
		if err := writeGrants(ctx, tx, operatorID, partnerID, perms); err != nil {
			return err
		}
		if err := ensureGranters(ctx, tx, partnerID); err != nil {
			return err
		}
		out = before
		out.Permissions, out.Roles = perms, rolesCovered(perms)
		return writeAudit(ctx, tx, actor, Event{PartnerID: partnerID, Action: "operator.permissions", ObjectType: "operator",
			ObjectID: operatorID, Before: grantsState(before), After: grantsState(out)})
	})
	return out, err
}

// MemberUpdate is a change to a team member: its name, and its roles on the partner when Roles is set.
type MemberUpdate struct {
	Name  *string
	Roles *[]string
}

// UpdateTeamMember renames an operator and, when roles are given, replaces the permissions its
// current roles brought with those of the new roles (single permissions stay), under the same rules
// as ReplacePermissions.
func (s *Store) UpdateTeamMember(ctx context.Context, actor Actor, partnerID, operatorID int64, u MemberUpdate) (TeamMemberDetail, error) {
	if u.Roles != nil {
		if err := validateGrants(*u.Roles, nil); err != nil {
			return TeamMemberDetail{}, err
		}
	}
	var out TeamMemberDetail
	err := s.teamChange(ctx, actor, partnerID, operatorID, "operator.update", func(tx *sqlx.Tx) error {
		if err := lockPartners(ctx, tx, partnerID); err != nil {
			return err
		}
		before, err := teamMemberIn(ctx, tx, partnerID, operatorID)
		if err != nil {
			return err
		}
		out = before
		if u.Name != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE operators SET name = $2 WHERE id = $1`, operatorID, *u.Name); err != nil {
				return fmt.Errorf("store: unable to rename operator: %w", err)
			}
			out.Name = *u.Name
		}
		if u.Roles != nil {
			fromRoles := expandRoles(before.Roles, nil)
			var single []string
			for _, p := range before.Permissions {
				if !slices.Contains(fromRoles, p) {
					single = append(single, p)
				}
			}
			perms := expandRoles(*u.Roles, single)
			if err := checkGrantRules(ctx, tx, actor, partnerID, operatorID, before.Permissions, perms); err != nil {
				return err
			}
			if err := writeGrants(ctx, tx, operatorID, partnerID, perms); err != nil {
				return err
			}
			if err := ensureGranters(ctx, tx, partnerID); err != nil {
				return err
			}
			out.Permissions, out.Roles = perms, rolesCovered(perms)
		}
		return writeAudit(ctx, tx, actor, Event{PartnerID: partnerID, Action: "operator.update", ObjectType: "operator",
			ObjectID: operatorID, Before: map[string]any{"name": before.Name, "roles": []string(before.Roles), "permissions": before.Permissions},
			After: map[string]any{"name": out.Name, "roles": []string(out.Roles), "permissions": out.Permissions}})
	})
	return out, err
}
