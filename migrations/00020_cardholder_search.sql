-- Cardholder search and sorting that stay fast at a million cardholders per partner
-- (docs/performance-cardholders.md has the plans and the figures).
--
-- searchText is a case-insensitive substring of email, phone or document number: trigram GIN
-- indexes answer ILIKE '%fragment%' for fragments of three characters or more. Each sortable
-- column has a b-tree led by partner_id and ended by id, so a sorted page (and its tie-break)
-- is read in index order; names sort with the ICU root collation so that "Álvarez" sits next to
-- "Alvarado" rather than after "Zúñiga".

-- +goose Up
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX cardholders_email_trgm_idx ON cardholders USING gin (email gin_trgm_ops);
CREATE INDEX cardholders_phone_trgm_idx ON cardholders USING gin (phone_number gin_trgm_ops);
CREATE INDEX cardholders_document_trgm_idx ON cardholders USING gin (document_number gin_trgm_ops);

CREATE INDEX cardholders_partner_id_idx ON cardholders (partner_id, id);
CREATE INDEX cardholders_partner_created_idx ON cardholders (partner_id, created_at, id);
CREATE INDEX cardholders_partner_name_idx ON cardholders (partner_id, name COLLATE "und-x-icu", id);
CREATE INDEX cardholders_partner_last_name_idx ON cardholders (partner_id, last_name COLLATE "und-x-icu", id);
CREATE INDEX cardholders_partner_email_idx ON cardholders (partner_id, email, id);
CREATE INDEX cardholders_partner_document_idx ON cardholders (partner_id, document_number, id);

-- The partner's cards screen filters by status and lists newest first.
CREATE INDEX cards_partner_status_idx ON cards (partner_id, status, id);

-- +goose Down
DROP INDEX cards_partner_status_idx, cardholders_partner_document_idx, cardholders_partner_email_idx,
    cardholders_partner_last_name_idx, cardholders_partner_name_idx, cardholders_partner_created_idx,
    cardholders_partner_id_idx, cardholders_document_trgm_idx, cardholders_phone_trgm_idx,
    cardholders_email_trgm_idx;
