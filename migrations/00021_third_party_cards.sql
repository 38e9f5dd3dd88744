-- Cards of other issuers that a cardholder links to their account (for example to send money to
-- them): only the owner's email, the last four digits and an alias are kept.

-- +goose Up
CREATE TABLE third_party_cards (
    id             bigserial PRIMARY KEY,
    partner_id     bigint      NOT NULL REFERENCES partners (id),
    cardholder_id  bigint      NOT NULL REFERENCES cardholders (id),
    email          text        NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    suffix         char(4)     NOT NULL CHECK (suffix ~ '^[0-9]{4}$'),
    alias          text        NOT NULL CHECK (char_length(alias) BETWEEN 1 AND 50),
    created_at     timestamptz NOT NULL DEFAULT now()
);
-- The same card (suffix and owner's email, whatever its case) is linked once per cardholder.
CREATE UNIQUE INDEX third_party_cards_unique_key ON third_party_cards (cardholder_id, suffix, lower(email));

-- +goose Down
DROP TABLE third_party_cards;
