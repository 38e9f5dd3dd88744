-- Movements' foreign keys check what a movement says about its account in two keys instead of four:
-- its partner is its account's partner, and its card, when it has one, is the card of its account.
-- Each movement row of a funds batch ran four checks (account, partner, card, counterpart account);
-- it now runs two that also say more. The counterpart's account is the account of the entry's other
-- movement, which its own key checks; the counterpart card keeps its key.

-- +goose Up
ALTER TABLE accounts ADD CONSTRAINT accounts_id_partner_key UNIQUE (id, partner_id);
ALTER TABLE cards ADD CONSTRAINT cards_id_account_key UNIQUE (id, account_id);
ALTER TABLE movements
    DROP CONSTRAINT movements_account_id_fkey,
    DROP CONSTRAINT movements_partner_id_fkey,
    DROP CONSTRAINT movements_card_id_fkey,
    DROP CONSTRAINT movements_counterpart_account_id_fkey,
    ADD CONSTRAINT movements_account_partner_fkey FOREIGN KEY (account_id, partner_id) REFERENCES accounts (id, partner_id),
    ADD CONSTRAINT movements_card_account_fkey FOREIGN KEY (card_id, account_id) REFERENCES cards (id, account_id);

-- +goose Down
ALTER TABLE movements
    DROP CONSTRAINT movements_account_partner_fkey,
    DROP CONSTRAINT movements_card_account_fkey,
    ADD CONSTRAINT movements_account_id_fkey FOREIGN KEY (account_id) REFERENCES accounts (id),
    ADD CONSTRAINT movements_partner_id_fkey FOREIGN KEY (partner_id) REFERENCES partners (id),
    ADD CONSTRAINT movements_card_id_fkey FOREIGN KEY (card_id) REFERENCES cards (id),
    ADD CONSTRAINT movements_counterpart_account_id_fkey FOREIGN KEY (counterpart_account_id) REFERENCES accounts (id);
ALTER TABLE cards DROP CONSTRAINT cards_id_account_key;
ALTER TABLE accounts DROP CONSTRAINT accounts_id_partner_key;
