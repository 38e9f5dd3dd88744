package store

import (
	"context"
	"fmt"
)

// Viewer is an operator reading or changing client requests and resolutions, which have no partner
// in their paths: the operator sees the partners where they hold Permission and, inside those, only
// the cardholders their tag restrictions allow.
type Viewer struct {
	OperatorID int64
	Permission string
	system     bool
}

// OperatorViewer is the operator acting with the given permission.
func OperatorViewer(operatorID int64, permission string) Viewer {
	return Viewer{OperatorID: operatorID, Permission: permission}
}

// SystemViewer sees every partner and cardholder: the command line and the demo data.
func SystemViewer() Viewer { return Viewer{system: true} }

// viewerArgs are the first three query parameters of every viewer-scoped query: operator,
// permission and the system flag, as $1, $2 and $3.
func (v Viewer) args() []any { return []any{v.OperatorID, v.Permission, v.system} }

// partnerAllowedSQL is the condition that the partner in partnerCol is one where the viewer whose
// operator, permission and system flag are the parameters $1, $2 and $3 holds the permission.
func partnerAllowedSQL(partnerCol string) string {
	return `($3::boolean OR ` + partnerCol + ` IN (SELECT op.partner_id FROM operator_permissions op
	                                   WHERE op.operator_id = $1 AND op.permission = $2))`
}

// viewerVisibleSQL adds the viewer's tag restrictions to partnerAllowedSQL for a row of a cardholder.
func viewerVisibleSQL(cardholderCol, partnerCol string) string {
	return `(` + partnerAllowedSQL(partnerCol) + ` AND ($3::boolean OR ` + TagVisibleSQL(cardholderCol, partnerCol, "$1") + `))`
}

// viewerPartners lists the partners where the viewer holds the permission.
func (s *Store) viewerPartners(ctx context.Context, v Viewer) ([]int64, error) {
	ids := []int64{}
	err := s.db.SelectContext(ctx, &ids, `SELECT id FROM partners p WHERE `+partnerAllowedSQL("p.id")+` ORDER BY id`, v.args()...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list partners of viewer: %w", err)
	}
	return ids, nil
}
