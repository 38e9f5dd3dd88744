-- The ledger's lines: one movement per account touched by an operation, written in the same
-- transaction as the balance change, carrying the balance after it.

-- +goose Up
CREATE TABLE movements (
    id                      bigserial PRIMARY KEY,
    entry_id                uuid          NOT NULL,
    account_id              bigint        NOT NULL REFERENCES accounts (id),
    partner_id              bigint        NOT NULL REFERENCES partners (id),
    card_id                 bigint        REFERENCES cards (id),
    type                    text          NOT NULL,
    direction               text          NOT NULL CHECK (direction IN ('CREDIT', 'DEBIT')),
    amount                  numeric(20,4) NOT NULL CHECK (amount > 0),
    currency                char(3)       NOT NULL,
    balance_after           numeric(20,4) NOT NULL CHECK (balance_after >= 0),
    counterpart_account_id  bigint        REFERENCES accounts (id),
    counterpart_card_id     bigint        REFERENCES cards (id),
    channel                 text          NOT NULL DEFAULT '',
    reference               text          NOT NULL DEFAULT '',
    description             text          NOT NULL DEFAULT '',
    custom_keys             jsonb,
    actor_type              text          NOT NULL,
    actor_id                bigint,
    actor_label             text          NOT NULL DEFAULT '',
    created_at              timestamptz   NOT NULL DEFAULT now()
);
CREATE INDEX movements_account_time_idx ON movements (account_id, created_at, id);
CREATE INDEX movements_card_time_idx ON movements (card_id, created_at, id) WHERE card_id IS NOT NULL;
CREATE INDEX movements_entry_idx ON movements (entry_id);

-- +goose Down
DROP TABLE movements;
