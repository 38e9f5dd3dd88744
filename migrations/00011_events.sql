-- Live events: every change a console screen may want to show at once is written here in the
-- transaction of the change and announced with NOTIFY, which PostgreSQL delivers at commit. An
-- instance that missed a notification, or a browser that reconnects, reads the rows after the last
-- id it saw. Rows are pruned after a retention period (docs/process-requests.md).

-- +goose Up
CREATE TABLE events (
    id          bigserial   PRIMARY KEY,
    partner_id  bigint      NOT NULL REFERENCES partners (id),
    topic       text        NOT NULL CHECK (topic ~ '^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*$'),
    payload     jsonb       NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_partner_idx ON events (partner_id, id);
CREATE INDEX events_created_idx ON events (created_at);

-- +goose Down
DROP TABLE events;
