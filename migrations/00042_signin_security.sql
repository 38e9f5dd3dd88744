-- +goose Up
-- Sign-in hardening (docs/security.md): the second-factor policy of each partner, the idle limit of
-- console sessions, and the pending second step of a sign-in.

-- ALL: every operator with a grant on the partner signs in with a code; PRIVILEGED: those holding an
-- approving or money-moving permission on it (store.SecondFactorPermissions); OFF: nobody because of it.
ALTER TABLE partners ADD COLUMN second_factor text NOT NULL DEFAULT 'PRIVILEGED'
    CHECK (second_factor IN ('ALL', 'PRIVILEGED', 'OFF'));

-- A console session ends SESSION_IDLE after its last request.
ALTER TABLE console_sessions ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();

-- A sign-in whose password was right and whose code is still due. enrol_secret is the authenticator
-- secret offered to an operator who has none yet; it is kept on the operator once a code confirms it.
CREATE TABLE signin_challenges (
    token_hash      bytea       PRIMARY KEY,
    operator_id     bigint      NOT NULL REFERENCES operators (id),
    application_id  bigint      REFERENCES applications (id),
    enrol_secret    text,
    expires_at      timestamptz NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX signin_challenges_operator_idx ON signin_challenges (operator_id);

-- +goose Down
DROP TABLE signin_challenges;
ALTER TABLE console_sessions DROP COLUMN last_seen_at;
ALTER TABLE partners DROP COLUMN second_factor;
