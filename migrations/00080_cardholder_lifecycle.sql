-- The rest of a cardholder's life (docs/cardholders.md, docs/funds.md): closing a cardholder, the
-- final CANCELED state of a card and the history of every card transition, and reversals of
-- movements decided by a second operator.

-- +goose Up
-- A CLOSED cardholder is read-only; the reason and time of the closing stay on the row.
ALTER TABLE cardholders
    ADD COLUMN status       text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'CLOSED')),
    ADD COLUMN closed_at    timestamptz,
    ADD COLUMN close_reason text,
    ADD CONSTRAINT cardholders_closed_check CHECK ((status = 'CLOSED') = (closed_at IS NOT NULL));
CREATE INDEX cardholders_partner_status_idx ON cardholders (partner_id, status, id);

-- CANCELED is final: no transition leaves it (store/card_lifecycle.go).
ALTER TABLE cards DROP CONSTRAINT cards_status_check,
    ADD CONSTRAINT cards_status_check CHECK (status IN ('INACTIVE', 'ACTIVE', 'BLOCKED', 'CANCELED'));

-- Every status change of a card, with why and through which channel it happened.
CREATE TABLE card_history (
    id           bigserial PRIMARY KEY,
    card_id      bigint      NOT NULL REFERENCES cards (id),
    partner_id   bigint      NOT NULL REFERENCES partners (id),
    from_status  text        NOT NULL,
    to_status    text        NOT NULL,
    reason       text        NOT NULL DEFAULT '',
    channel      text        NOT NULL DEFAULT '',
    actor_type   text        NOT NULL,
    actor_id     bigint,
    actor_label  text        NOT NULL DEFAULT '',
    at           timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX card_history_card_idx ON card_history (card_id, at, id);

-- A reversal undoes one operation (every movement of one entry) once a second operator approves it.
-- The partial unique index keeps at most one open or approved reversal per operation: a repeated
-- request and a racing one are refused by the database itself.
CREATE TABLE reversals (
    id                bigserial PRIMARY KEY,
    partner_id        bigint        NOT NULL REFERENCES partners (id),
    cardholder_id     bigint        NOT NULL REFERENCES cardholders (id),
    card_id           bigint        NOT NULL REFERENCES cards (id),
    movement_id       bigint        NOT NULL REFERENCES movements (id),
    entry_id          uuid          NOT NULL,
    operation         text          NOT NULL,
    amount            numeric(20,4) NOT NULL CHECK (amount > 0),
    currency          char(3)       NOT NULL,
    status            text          NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED')),
    reason            text          NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    requested_by      bigint        NOT NULL REFERENCES operators (id),
    reviewed_by       bigint        REFERENCES operators (id),
    reject_reason     text,
    reversal_entry_id uuid,
    created_at        timestamptz   NOT NULL DEFAULT now(),
    decided_at        timestamptz,
    CHECK ((status = 'APPROVED') = (reversal_entry_id IS NOT NULL))
);
CREATE UNIQUE INDEX reversals_entry_open_key ON reversals (entry_id) WHERE status IN ('PENDING', 'APPROVED');
CREATE INDEX reversals_partner_status_idx ON reversals (partner_id, status, id);

-- A reversing movement names the movement it undoes; each movement is undone at most once.
ALTER TABLE movements ADD COLUMN reverses_movement_id bigint REFERENCES movements (id);
CREATE UNIQUE INDEX movements_reverses_key ON movements (reverses_movement_id) WHERE reverses_movement_id IS NOT NULL;

-- The header search finds people by a fragment of their full name and cards by their last four
-- digits (timelines read the audit rows of one object through audit_log_object_idx, migration 00040).
CREATE INDEX cardholders_full_name_trgm_idx ON cardholders USING gin ((name || ' ' || last_name) gin_trgm_ops);
CREATE INDEX cards_last4_idx ON cards (last4, partner_id);

-- +goose Down
DROP INDEX cards_last4_idx, cardholders_full_name_trgm_idx;
DROP INDEX movements_reverses_key;
ALTER TABLE movements DROP COLUMN reverses_movement_id;
DROP TABLE reversals, card_history;
UPDATE cards SET status = 'BLOCKED' WHERE status = 'CANCELED';
ALTER TABLE cards DROP CONSTRAINT cards_status_check,
    ADD CONSTRAINT cards_status_check CHECK (status IN ('INACTIVE', 'ACTIVE', 'BLOCKED'));
DROP INDEX cardholders_partner_status_idx;
ALTER TABLE cardholders DROP CONSTRAINT cardholders_closed_check,
    DROP COLUMN close_reason, DROP COLUMN closed_at, DROP COLUMN status;
