-- Bulk files (docs/bulk.md): a batch is one uploaded file of cardholders, cards or payments; its rows
-- are read from the stored file into bulk_rows and applied by a job that any instance may claim.

-- +goose Up
CREATE TABLE bulk_batches (
    id               bigserial     PRIMARY KEY,
    partner_id       bigint        NOT NULL REFERENCES partners (id),
    kind             text          NOT NULL CHECK (kind IN ('CARDHOLDERS', 'CARDS', 'PAYOUT')),
    status           text          NOT NULL CHECK (status IN ('QUEUED', 'PENDING_APPROVAL', 'RUNNING', 'COMPLETED',
                                                              'REJECTED', 'CANCELLED')),
    file_name        text          NOT NULL,
    format           text          NOT NULL CHECK (format IN ('CSV', 'XLSX')),
    blob_key         text          NOT NULL,
    sha256           bytea         NOT NULL,
    header           text[]        NOT NULL,
    total            integer       NOT NULL CHECK (total > 0),
    read_rows        integer       NOT NULL DEFAULT 0, -- rows copied from the file into bulk_rows
    processed        integer       NOT NULL DEFAULT 0,
    succeeded        integer       NOT NULL DEFAULT 0,
    failed           integer       NOT NULL DEFAULT 0,
    currency         char(3),
    amount_total     numeric(20,4) NOT NULL DEFAULT 0, -- payouts: the sum of the rows that can be paid
    credited         numeric(20,4) NOT NULL DEFAULT 0, -- payouts: the sum of the rows applied
    on_insufficient  text          CHECK (on_insufficient IN ('STOP', 'CONTINUE')),
    created_by       bigint        NOT NULL REFERENCES operators (id),
    decided_by       bigint        REFERENCES operators (id),
    decided_at       timestamptz,
    reason           text,
    created_at       timestamptz   NOT NULL DEFAULT now(),
    updated_at       timestamptz   NOT NULL DEFAULT now(),
    finished_at      timestamptz
);
CREATE INDEX bulk_batches_partner_idx ON bulk_batches (partner_id, id DESC);
CREATE INDEX bulk_batches_sha_idx ON bulk_batches (partner_id, sha256, created_at);

CREATE TABLE bulk_rows (
    batch_id   bigint        NOT NULL REFERENCES bulk_batches (id) ON DELETE CASCADE,
    seq        integer       NOT NULL, -- 1.. in file order, blank rows skipped
    line       integer       NOT NULL, -- the row number in the file (the header is row 1)
    cells      text[]        NOT NULL, -- as uploaded, in the header's order
    status     text          NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DONE', 'FAILED')),
    code       text,
    error      text,
    card_id    bigint,        -- payouts: the card resolved when the file was read
    amount     numeric(20,4), -- payouts
    PRIMARY KEY (batch_id, seq)
);
CREATE INDEX bulk_rows_pending_idx ON bulk_rows (batch_id, seq) WHERE status = 'PENDING';

-- A job is a batch with work to do. A worker claims it with FOR UPDATE SKIP LOCKED in a transaction
-- it holds while it works: if its instance dies, the lock goes with the connection and another
-- instance takes the job over from the last committed chunk.
CREATE TABLE bulk_jobs (
    batch_id    bigint      PRIMARY KEY REFERENCES bulk_batches (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- A payment reference is paid once per partner, whatever file it comes in again.
CREATE TABLE payout_references (
    partner_id  bigint NOT NULL REFERENCES partners (id),
    reference   text   NOT NULL,
    batch_id    bigint NOT NULL REFERENCES bulk_batches (id),
    seq         integer NOT NULL,
    PRIMARY KEY (partner_id, reference)
);

-- +goose Down
DROP TABLE payout_references;
DROP TABLE bulk_jobs;
DROP TABLE bulk_rows;
DROP TABLE bulk_batches;
