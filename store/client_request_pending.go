package store

import (
	"context"
	"errors"

	"github.com/jmoiron/sqlx"
)

// applyFunds will move the money of an approved deposit, withdrawal or transfer once the funds module lands.
func applyFunds(ctx context.Context, tx *sqlx.Tx, actor Actor, r ClientRequest) (any, error) {
	return nil, errors.New("store: money requests cannot be approved before the funds module is merged")
}
