-- The partner's next stock card (an INACTIVE card with no cardholder, lowest id first) is found by
-- a partial index of those cards alone: the index of every card by status would walk past each card
-- already given out, so a cardholder file of 100,000 rows read a growing prefix on every row.

-- +goose Up
CREATE INDEX cards_stock_idx ON cards (partner_id, id) WHERE cardholder_id IS NULL AND status = 'INACTIVE';

-- +goose Down
DROP INDEX cards_stock_idx;
