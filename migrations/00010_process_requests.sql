-- Partner balance top-ups (process requests) and the files that back them.

-- +goose Up
-- Uploaded files, kept in the database so that every instance serves them with no shared disk.
-- The content is split into chunks so that neither writing nor serving holds a whole file in memory;
-- the chunks are written before their blob row, which the deferred foreign key allows.
CREATE TABLE blobs (
    key           text        PRIMARY KEY,
    content_type  text        NOT NULL,
    size          bigint      NOT NULL CHECK (size >= 0),
    sha256        bytea       NOT NULL CHECK (length(sha256) = 32),
    file_name     text        NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE blob_chunks (
    blob_key  text    NOT NULL REFERENCES blobs (key) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    seq       integer NOT NULL CHECK (seq >= 0),
    data      bytea   NOT NULL,
    PRIMARY KEY (blob_key, seq)
);

-- A request to credit a partner's available balance, backed by an evidence file. It is decided
-- once: the conditional UPDATE from PENDING is the only way out of that state.
CREATE TABLE process_requests (
    id                    bigserial PRIMARY KEY,
    partner_id            bigint        NOT NULL REFERENCES partners (id),
    account_id            bigint        NOT NULL REFERENCES accounts (id),
    process_type_id       integer       NOT NULL DEFAULT 1 CHECK (process_type_id = 1),
    requested_amount      numeric(20,4) NOT NULL CHECK (requested_amount > 0),
    currency              char(3)       NOT NULL,
    observations          text          NOT NULL DEFAULT '' CHECK (length(observations) <= 1000),
    evidence_key          text          NOT NULL,
    evidence_content_type text          NOT NULL,
    evidence_size         bigint        NOT NULL,
    evidence_sha256       bytea         NOT NULL CHECK (length(evidence_sha256) = 32),
    evidence_file_name    text          NOT NULL DEFAULT '',
    status                text          NOT NULL DEFAULT 'PENDING'
                                        CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED', 'CANCELLED')),
    created_by            bigint        NOT NULL REFERENCES operators (id),
    reviewed_by           bigint        REFERENCES operators (id),
    cancelled_by          bigint        REFERENCES operators (id),
    decided_at            timestamptz,
    created_at            timestamptz   NOT NULL DEFAULT now(),
    updated_at            timestamptz   NOT NULL DEFAULT now(),
    -- Maker-checker, as a last line of defence behind the conditional UPDATE.
    CHECK (reviewed_by IS NULL OR reviewed_by <> created_by),
    CHECK ((status IN ('APPROVED', 'REJECTED')) = (reviewed_by IS NOT NULL)),
    CHECK ((status = 'CANCELLED') = (cancelled_by IS NOT NULL)),
    CHECK ((status = 'PENDING') = (decided_at IS NULL))
);
CREATE INDEX process_requests_partner_idx ON process_requests (partner_id, created_at DESC, id DESC);
CREATE INDEX process_requests_pending_idx ON process_requests (partner_id, created_at, id) WHERE status = 'PENDING';

-- +goose Down
DROP TABLE process_requests, blob_chunks, blobs;
