-- The number of client requests of each partner in each status, kept by triggers, so that the
-- queue reports its exact total without counting every request on every page
-- (docs/performance-console.md). Statement-level triggers with transition tables change each
-- (partner, status) row once per statement, in one statement ordered by its key, so concurrent
-- decisions of a partner's requests lock the rows in the same order; an update that changes no
-- status (a colour) changes no count and locks nothing.

-- +goose Up
CREATE TABLE client_request_counts (
    partner_id  bigint   NOT NULL REFERENCES partners (id),
    status      smallint NOT NULL,
    requests    bigint   NOT NULL,
    PRIMARY KEY (partner_id, status)
);
INSERT INTO client_request_counts (partner_id, status, requests)
    SELECT partner_id, status, count(*) FROM client_requests GROUP BY partner_id, status;

-- +goose StatementBegin
CREATE FUNCTION count_client_requests() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO client_request_counts AS c (partner_id, status, requests)
            SELECT partner_id, status, count(*) FROM new_rows GROUP BY partner_id, status ORDER BY partner_id, status
        ON CONFLICT (partner_id, status) DO UPDATE SET requests = c.requests + EXCLUDED.requests;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO client_request_counts AS c (partner_id, status, requests)
            SELECT partner_id, status, sum(n) FROM (
                SELECT partner_id, status, 1 AS n FROM new_rows
                UNION ALL SELECT partner_id, status, -1 FROM old_rows) d
            GROUP BY partner_id, status HAVING sum(n) <> 0 ORDER BY partner_id, status
        ON CONFLICT (partner_id, status) DO UPDATE SET requests = c.requests + EXCLUDED.requests;
    ELSE
        INSERT INTO client_request_counts AS c (partner_id, status, requests)
            SELECT partner_id, status, -count(*) FROM old_rows GROUP BY partner_id, status ORDER BY partner_id, status
        ON CONFLICT (partner_id, status) DO UPDATE SET requests = c.requests + EXCLUDED.requests;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION clear_client_request_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM client_request_counts;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER client_requests_count_inserted AFTER INSERT ON client_requests
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION count_client_requests();
CREATE TRIGGER client_requests_count_updated AFTER UPDATE ON client_requests
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION count_client_requests();
CREATE TRIGGER client_requests_count_deleted AFTER DELETE ON client_requests
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION count_client_requests();
CREATE TRIGGER client_requests_count_truncated AFTER TRUNCATE ON client_requests
    FOR EACH STATEMENT EXECUTE FUNCTION clear_client_request_counts();

-- The queue with no status filter, per partner in the order it is read (oldest first by default).
CREATE INDEX client_requests_partner_created_idx ON client_requests (partner_id, created_at, id);

-- +goose Down
DROP INDEX client_requests_partner_created_idx;
DROP TRIGGER client_requests_count_truncated ON client_requests;
DROP TRIGGER client_requests_count_deleted ON client_requests;
DROP TRIGGER client_requests_count_updated ON client_requests;
DROP TRIGGER client_requests_count_inserted ON client_requests;
DROP FUNCTION clear_client_request_counts(), count_client_requests();
DROP TABLE client_request_counts;
