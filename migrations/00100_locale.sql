-- Language and locale: the language an operator picked for the console (NULL until they pick one,
-- so the partner's country and then the browser decide), and each partner's country, which gives
-- the default language of its operators (GT → Spanish).

-- +goose Up
ALTER TABLE operators ADD COLUMN language text CHECK (language IN ('es', 'en'));
ALTER TABLE partners ADD COLUMN country char(2) NOT NULL DEFAULT 'GT' CHECK (country ~ '^[A-Z]{2}$');

-- +goose Down
ALTER TABLE partners DROP COLUMN country;
ALTER TABLE operators DROP COLUMN language;
