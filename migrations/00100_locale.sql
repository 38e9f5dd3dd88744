-- Language and locale: the language an operator picked for the console (NULL until they pick one,
-- so the partner's country and then the browser decide), and each partner's country, which gives
-- the default language of its operators (GT → Spanish). Partners that already exist in Guatemala
-- time are Guatemalan; a partner whose country is not known yet leaves the choice to the browser.

-- +goose Up
ALTER TABLE operators ADD COLUMN language text CHECK (language IN ('es', 'en'));
ALTER TABLE partners ADD COLUMN country char(2) CHECK (country ~ '^[A-Z]{2}$');
UPDATE partners SET country = 'GT' WHERE time_zone = 'America/Guatemala';

-- +goose Down
ALTER TABLE partners DROP COLUMN country;
ALTER TABLE operators DROP COLUMN language;
