package store

import (
	"context"
	"fmt"
)

// SeedApplied reports whether the named data set was loaded already.
func (s *Store) SeedApplied(ctx context.Context, name string) (bool, error) {
	var ok bool
	if err := s.db.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM seeds WHERE name = $1)`, name); err != nil {
		return false, fmt.Errorf("store: unable to read seeds: %w", err)
	}
	return ok, nil
}

// MarkSeedApplied records that the named data set was loaded.
func (s *Store) MarkSeedApplied(ctx context.Context, name string) error {
	if _, err := s.db.ExecContext(ctx, `INSERT INTO seeds (name) VALUES ($1) ON CONFLICT DO NOTHING`, name); err != nil {
		return fmt.Errorf("store: unable to record seed: %w", err)
	}
	return nil
}
