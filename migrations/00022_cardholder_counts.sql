-- The number of cardholders of each partner, kept by a trigger, so the unfiltered cardholder list
-- reports its exact total without counting a million rows on every page
-- (docs/performance-cardholders.md). Statement-level triggers with transition tables add or
-- subtract once per statement, so bulk inserts update the count once. Cardholders never move
-- between partners, so updates do not touch it.

-- +goose Up
CREATE TABLE partner_cardholder_counts (
    partner_id   bigint PRIMARY KEY REFERENCES partners (id),
    cardholders  bigint NOT NULL DEFAULT 0 CHECK (cardholders >= 0)
);
INSERT INTO partner_cardholder_counts (partner_id, cardholders)
    SELECT partner_id, count(*) FROM cardholders GROUP BY partner_id;

-- +goose StatementBegin
CREATE FUNCTION count_cardholders_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO partner_cardholder_counts AS c (partner_id, cardholders)
        SELECT partner_id, count(*) FROM inserted GROUP BY partner_id
    ON CONFLICT (partner_id) DO UPDATE SET cardholders = c.cardholders + EXCLUDED.cardholders;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION count_cardholders_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE partner_cardholder_counts c SET cardholders = c.cardholders - d.n
    FROM (SELECT partner_id, count(*) AS n FROM deleted GROUP BY partner_id) d
    WHERE c.partner_id = d.partner_id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER cardholders_count_inserted AFTER INSERT ON cardholders
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION count_cardholders_inserted();
CREATE TRIGGER cardholders_count_deleted AFTER DELETE ON cardholders
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION count_cardholders_deleted();

-- +goose Down
DROP TRIGGER cardholders_count_deleted ON cardholders;
DROP TRIGGER cardholders_count_inserted ON cardholders;
DROP FUNCTION count_cardholders_deleted(), count_cardholders_inserted();
DROP TABLE partner_cardholder_counts;
