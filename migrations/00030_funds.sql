-- Money movement: idempotency records of the funds routes, and movement times that follow the
-- order in which an account's movements were applied.

-- +goose Up
-- One row per idempotency key: a reference of an issuer application or an Idempotency-Key of an
-- operator. The row is inserted before the operation runs, in its transaction, so a concurrent
-- duplicate waits on the unique index and then reads the stored reply; the reply is committed with
-- the movements it describes (or alone, for a refused operation).
CREATE TABLE idempotency_keys (
    scope        text        NOT NULL CHECK (scope ~ '^(application|operator):[0-9]+$'),
    key          text        NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    fingerprint  bytea       NOT NULL,
    status       integer     NOT NULL DEFAULT 0,
    body         bytea,        -- the reply exactly as first sent
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);

-- now() is the start of the transaction, which may be earlier than the moment it got the account's
-- row lock: two movements of one account could then carry times in the opposite order of their ids
-- and balances. The clock at insert time, taken while the row lock is held, keeps them in order, so
-- a monthly statement's opening balance plus its movements always equals its closing balance.
ALTER TABLE movements ALTER COLUMN created_at SET DEFAULT clock_timestamp();

-- +goose Down
ALTER TABLE movements ALTER COLUMN created_at SET DEFAULT now();
DROP TABLE idempotency_keys;
