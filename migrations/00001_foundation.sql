-- Foundation: partners and the ledger, operators and their grants, applications, tokens,
-- console sessions, one-time-code bookkeeping and the append-only audit log.

-- +goose Up
CREATE TABLE partners (
    id          bigserial PRIMARY KEY,
    name        text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    currency    char(3)     NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    time_zone   text        NOT NULL DEFAULT 'America/Guatemala',
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Every balance is an account: a partner's available balance (one per currency) or a card's balance.
-- The CHECK on balance is the last line of defence; store debits with a conditional UPDATE first.
CREATE TABLE accounts (
    id          bigserial PRIMARY KEY,
    partner_id  bigint        NOT NULL REFERENCES partners (id),
    kind        text          NOT NULL CHECK (kind IN ('PARTNER', 'CARD')),
    currency    char(3)       NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    balance     numeric(20,4) NOT NULL DEFAULT 0 CHECK (balance >= 0),
    created_at  timestamptz   NOT NULL DEFAULT now(),
    updated_at  timestamptz   NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX accounts_partner_balance_key ON accounts (partner_id, currency) WHERE kind = 'PARTNER';

CREATE TABLE cardholders (
    id               bigserial PRIMARY KEY,
    partner_id       bigint      NOT NULL REFERENCES partners (id),
    name             text        NOT NULL,
    last_name        text        NOT NULL,
    address          text        NOT NULL,
    country_of_birth char(2)     NOT NULL,
    date_of_birth    date        NOT NULL,
    marital_status   text        NOT NULL,
    gender           text        NOT NULL,
    phone_number     text        NOT NULL,
    email            text        NOT NULL,
    document_type    text        NOT NULL,
    document_number  text        NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (partner_id, document_type, document_number)
);

-- Only the BIN and the last four digits of a card number are ever stored.
CREATE TABLE cards (
    id             bigserial PRIMARY KEY,
    partner_id     bigint      NOT NULL REFERENCES partners (id),
    cardholder_id  bigint      REFERENCES cardholders (id),
    account_id     bigint      NOT NULL UNIQUE REFERENCES accounts (id),
    bin            char(6)     NOT NULL CHECK (bin ~ '^[0-9]{6}$'),
    last4          char(4)     NOT NULL CHECK (last4 ~ '^[0-9]{4}$'),
    status         text        NOT NULL DEFAULT 'INACTIVE' CHECK (status IN ('INACTIVE', 'ACTIVE', 'BLOCKED')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cards_partner_idx ON cards (partner_id, id);
CREATE INDEX cards_cardholder_idx ON cards (cardholder_id) WHERE cardholder_id IS NOT NULL;

CREATE TABLE operators (
    id                   bigserial PRIMARY KEY,
    email                text        NOT NULL,
    password_hash        text        NOT NULL,
    totp_secret          text,
    status               text        NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'DISABLED')),
    otp_failed_attempts  integer     NOT NULL DEFAULT 0,
    otp_locked_until     timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX operators_email_key ON operators (lower(email));

-- Roles are named bundles; the permissions they expand to are stored one row each, per partner.
CREATE TABLE operator_roles (
    operator_id  bigint NOT NULL REFERENCES operators (id),
    partner_id   bigint NOT NULL REFERENCES partners (id),
    role         text   NOT NULL CHECK (role IN ('admin', 'maker', 'checker', 'viewer')),
    PRIMARY KEY (operator_id, partner_id, role)
);

CREATE TABLE operator_permissions (
    operator_id  bigint NOT NULL REFERENCES operators (id),
    partner_id   bigint NOT NULL REFERENCES partners (id),
    permission   text   NOT NULL CHECK (permission ~ '^[a-z-]+:[A-Za-z_-]+$'),
    PRIMARY KEY (operator_id, partner_id, permission)
);
CREATE INDEX operator_permissions_partner_idx ON operator_permissions (partner_id);

-- A time step whose code was accepted once; the primary key refuses a replay.
CREATE TABLE otp_used_steps (
    operator_id  bigint      NOT NULL REFERENCES operators (id),
    step         bigint      NOT NULL,
    used_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (operator_id, step)
);

-- Failed logins per key (an email or an address) inside a sliding window.
CREATE TABLE login_failures (
    key           text        PRIMARY KEY,
    failures      integer     NOT NULL,
    window_start  timestamptz NOT NULL,
    locked_until  timestamptz
);

CREATE TABLE applications (
    id              bigserial PRIMARY KEY,
    name            text        NOT NULL,
    merchant        text        NOT NULL UNIQUE,
    secret_hash     bytea       NOT NULL,
    application_id  text        NOT NULL UNIQUE,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- The partners whose cards an application may move money on through the issuer API.
CREATE TABLE application_partners (
    application_id  bigint NOT NULL REFERENCES applications (id),
    partner_id      bigint NOT NULL REFERENCES partners (id),
    PRIMARY KEY (application_id, partner_id)
);

-- Bearer tokens, stored as SHA-256 of the random value. Access and refresh tokens issued together
-- share a session id, so logout revokes both.
CREATE TABLE api_tokens (
    id              bigserial PRIMARY KEY,
    token_hash      bytea       NOT NULL UNIQUE,
    kind            text        NOT NULL CHECK (kind IN ('APP', 'ACCESS', 'REFRESH')),
    session_id      uuid        NOT NULL,
    application_id  bigint      REFERENCES applications (id),
    operator_id     bigint      REFERENCES operators (id),
    expires_at      timestamptz NOT NULL,
    revoked_at      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'APP') = (operator_id IS NULL)),
    CHECK (kind <> 'APP' OR application_id IS NOT NULL)
);
CREATE INDEX api_tokens_session_idx ON api_tokens (session_id);

-- Console sessions: the cookie carries a random id; the row makes logout final.
CREATE TABLE console_sessions (
    id_hash      bytea       PRIMARY KEY,
    operator_id  bigint      NOT NULL REFERENCES operators (id),
    csrf_token   text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX console_sessions_operator_idx ON console_sessions (operator_id);

CREATE TABLE audit_log (
    id           bigserial PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    actor_type   text        NOT NULL CHECK (actor_type IN ('OPERATOR', 'APPLICATION', 'SYSTEM', 'ANONYMOUS')),
    actor_id     bigint,
    actor_label  text        NOT NULL DEFAULT '',
    partner_id   bigint,
    action       text        NOT NULL,
    object_type  text        NOT NULL DEFAULT '',
    object_id    text        NOT NULL DEFAULT '',
    before       jsonb,
    after        jsonb,
    request_id   text        NOT NULL DEFAULT '',
    ip           text        NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_partner_idx ON audit_log (partner_id, id DESC);
CREATE INDEX audit_log_action_idx ON audit_log (action, id DESC);

-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC, CURRENT_USER;

-- Data sets loaded once (demo data), so loading them again changes nothing.
CREATE TABLE seeds (
    name        text        PRIMARY KEY,
    applied_at  timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE seeds, audit_log, console_sessions, api_tokens, application_partners, applications, login_failures,
    otp_used_steps, operator_permissions, operator_roles, operators, cards, cardholders, accounts, partners;
DROP FUNCTION audit_log_append_only();
