-- The dashboard counts each partner's recent batches with failed rows (docs/console.md): this index
-- holds only those batches, so the count reads a handful of entries whatever the history's size.

-- +goose Up
CREATE INDEX bulk_batches_failed_idx ON bulk_batches (partner_id, created_at) WHERE failed > 0;

-- +goose Down
DROP INDEX bulk_batches_failed_idx;
