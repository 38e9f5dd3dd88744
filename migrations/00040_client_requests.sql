-- Client requests ("applications"): what cardholders ask for and operators decide, the resolutions
-- a rejection cites, cardholder tags and the tag restrictions of operators, and the verification
-- state an approved verification or document request sets on the cardholder.

-- +goose Up
ALTER TABLE cardholders
    ADD COLUMN verified_at            timestamptz,
    ADD COLUMN verification_reference text;

-- Tags mark cardholders (segment, risk group, branch); an operator restricted to tags sees only the
-- cardholders carrying at least one of them.
CREATE TABLE cardholder_tags (
    cardholder_id  bigint NOT NULL REFERENCES cardholders (id) ON DELETE CASCADE,
    tag            text   NOT NULL CHECK (tag ~ '^[a-z0-9][a-z0-9_-]{0,49}$'),
    PRIMARY KEY (cardholder_id, tag)
);
CREATE INDEX cardholder_tags_tag_idx ON cardholder_tags (tag, cardholder_id);

-- An operator with rows here for a partner sees only that partner's cardholders carrying one of the
-- tags; without rows the operator sees every cardholder the grants allow.
CREATE TABLE operator_tag_restrictions (
    operator_id  bigint NOT NULL REFERENCES operators (id),
    partner_id   bigint NOT NULL REFERENCES partners (id),
    tag          text   NOT NULL CHECK (tag ~ '^[a-z0-9][a-z0-9_-]{0,49}$'),
    PRIMARY KEY (operator_id, partner_id, tag)
);

-- Resolution types group the resolutions (a small catalog shared by every partner).
CREATE TABLE resolution_types (
    id    bigserial PRIMARY KEY,
    name  text NOT NULL CHECK (length(name) BETWEEN 1 AND 100)
);
CREATE UNIQUE INDEX resolution_types_name_key ON resolution_types (lower(name));
INSERT INTO resolution_types (name) VALUES ('Documents'), ('Funds'), ('Compliance'), ('Client data'), ('Other');

-- Resolutions are the reasons a partner's operators may cite when rejecting a request.
CREATE TABLE resolutions (
    id          bigserial PRIMARY KEY,
    partner_id  bigint      NOT NULL REFERENCES partners (id),
    type_id     bigint      NOT NULL REFERENCES resolution_types (id),
    name        text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    text        text        NOT NULL DEFAULT '' CHECK (length(text) <= 1000),
    enabled     boolean     NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX resolutions_partner_name_key ON resolutions (partner_id, lower(name));

-- Status: 0 pending, 1 approved, 2 rejected, 3 in progress, 127 new. 0, 3 and 127 are undecided; a
-- decision is a conditional UPDATE from those, so a request is decided once.
CREATE TABLE client_requests (
    id                  bigserial PRIMARY KEY,
    partner_id          bigint        NOT NULL REFERENCES partners (id),
    cardholder_id       bigint        NOT NULL REFERENCES cardholders (id),
    type                text          NOT NULL CHECK (type IN ('account', 'address', 'archive', 'clientType', 'deposit',
                                          'document', 'external', 'investment', 'partner', 'profile', 'transfer',
                                          'verification', 'withdrawal')),
    status              smallint      NOT NULL DEFAULT 0 CHECK (status IN (0, 1, 2, 3, 127)),
    color               text          CHECK (color ~ '^#[0-9a-f]{6}$'),
    payload             jsonb         NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(payload) = 'object'),
    amount              numeric(20,4) CHECK (amount > 0),
    currency            char(3),
    submitted_by_type   text          NOT NULL,
    submitted_by        bigint        REFERENCES operators (id),
    submitted_by_label  text          NOT NULL DEFAULT '',
    decided_by          bigint        REFERENCES operators (id),
    decided_by_label    text          NOT NULL DEFAULT '',
    decided_at          timestamptz,
    resolution_id       bigint        REFERENCES resolutions (id),
    resolution_type_id  bigint        REFERENCES resolution_types (id),
    created_at          timestamptz   NOT NULL DEFAULT now(),
    updated_at          timestamptz   NOT NULL DEFAULT now(),
    CHECK ((status IN (1, 2)) = (decided_at IS NOT NULL)),
    CHECK (status <> 2 OR resolution_id IS NOT NULL)
);
CREATE INDEX client_requests_partner_status_idx ON client_requests (partner_id, status, created_at, id);
CREATE INDEX client_requests_cardholder_idx ON client_requests (cardholder_id, id);

-- Internal comments, never shown to the client: written with a decision or on their own.
CREATE TABLE client_request_comments (
    id            bigserial PRIMARY KEY,
    request_id    bigint      NOT NULL REFERENCES client_requests (id),
    body          text        NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
    author_id     bigint      REFERENCES operators (id),
    author_label  text        NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX client_request_comments_request_idx ON client_request_comments (request_id, id);

-- A request's history is read from the audit log by object.
CREATE INDEX audit_log_object_idx ON audit_log (object_type, object_id, id);

-- +goose Down
DROP INDEX audit_log_object_idx;
DROP TABLE client_request_comments, client_requests, resolutions, resolution_types, operator_tag_restrictions,
    cardholder_tags;
ALTER TABLE cardholders DROP COLUMN verified_at, DROP COLUMN verification_reference;
