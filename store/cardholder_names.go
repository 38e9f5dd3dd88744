package store

import (
	"context"
	"fmt"

	"github.com/lib/pq"
)

// CardholderNames returns the full names of the partner's cardholders among ids, by id, for the
// console to name people where it would otherwise show an id. A name is not personal data the
// console hides (the cardholder list shows it), so reading it is not audited; ids of other
// partners are left out.
func (s *Store) CardholderNames(ctx context.Context, partnerID int64, ids []int64) (map[int64]string, error) {
	names := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return names, nil
	}
	var rows []struct {
		ID   int64  `db:"id"`
		Name string `db:"name"`
	}
	err := s.db.SelectContext(ctx, &rows, `SELECT id, name || ' ' || last_name AS name FROM cardholders
		WHERE partner_id = $1 AND id = ANY($2::bigint[])`, partnerID, pq.Array(ids))
	if err != nil {
		return nil, fmt.Errorf("store: unable to read cardholder names: %w", err)
	}
	for _, r := range rows {
		names[r.ID] = r.Name
	}
	return names, nil
}

// CardholderName is one cardholder's full name; 7100 when the partner has no such cardholder.
func (s *Store) CardholderName(ctx context.Context, partnerID, cardholderID int64) (string, error) {
	names, err := s.CardholderNames(ctx, partnerID, []int64{cardholderID})
	if err != nil {
		return "", err
	}
	name, ok := names[cardholderID]
	if !ok {
		return "", NewError(CodeUserNotFound, "cardholder not found")
	}
	return name, nil
}
