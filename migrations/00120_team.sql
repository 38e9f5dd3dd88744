-- +goose Up
-- Team administration (docs/team.md): invited operators, their names and last sign-in, an
-- authenticator being enrolled, recovery codes and single-use invitation links.

ALTER TABLE operators DROP CONSTRAINT operators_status_check;
ALTER TABLE operators ADD CONSTRAINT operators_status_check CHECK (status IN ('ACTIVE', 'DISABLED', 'INVITED'));
ALTER TABLE operators ADD COLUMN name text NOT NULL DEFAULT '';
ALTER TABLE operators ADD COLUMN last_sign_in_at timestamptz;
-- The secret of an authenticator the operator is enrolling: it replaces totp_secret once a code
-- confirms it, so a half-done enrolment never locks the operator out.
ALTER TABLE operators ADD COLUMN pending_totp_secret text;

-- One-time recovery codes, stored as SHA-256 (they are random, so a fast hash is enough); a code
-- is spent by setting used_at.
CREATE TABLE operator_recovery_codes (
    operator_id  bigint      NOT NULL REFERENCES operators (id),
    code_hash    bytea       NOT NULL,
    used_at      timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (operator_id, code_hash)
);

-- A single-use link that lets an invited operator set a password and enrol an authenticator.
CREATE TABLE invitations (
    token_hash   bytea       PRIMARY KEY,
    operator_id  bigint      NOT NULL REFERENCES operators (id),
    partner_id   bigint      NOT NULL REFERENCES partners (id),
    invited_by   bigint      REFERENCES operators (id),
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invitations_operator_idx ON invitations (operator_id);

-- +goose Down
DROP TABLE invitations;
DROP TABLE operator_recovery_codes;
ALTER TABLE operators DROP COLUMN pending_totp_secret;
ALTER TABLE operators DROP COLUMN last_sign_in_at;
ALTER TABLE operators DROP COLUMN name;
ALTER TABLE operators DROP CONSTRAINT operators_status_check;
ALTER TABLE operators ADD CONSTRAINT operators_status_check CHECK (status IN ('ACTIVE', 'DISABLED'));
