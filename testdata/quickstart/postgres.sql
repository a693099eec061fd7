-- The quickstart's three feeds (crm.csv, web.ndjson, app.parquet) as
-- PostgreSQL tables, for pipelines/postgres.yaml. Load them into the schema
-- your connection string's search path names:
--   psql "$PG_DSN" -v ON_ERROR_STOP=1 -f testdata/quickstart/postgres.sql
-- Rows the files cannot carry in typed columns (the CSV's line with a
-- lifetime value of "not-a-number" and a time of "yesterday", the broken
-- NDJSON line) are left out: mosaic drops them when it reads the files.
-- lifetime_value stays text, as in the CSV, so both pipelines store the
-- same attribute values (a text column gives a JSON string, a numeric one
-- a JSON number).
SET client_min_messages TO warning;
DROP TABLE IF EXISTS crm, web, app;

CREATE TABLE crm (
    customer_id text,
    email text,
    tier text,
    lifetime_value text,
    updated_at timestamptz
);
INSERT INTO crm VALUES
    ('C001', 'ada@example.com', 'gold', '1250.50', '2026-05-01T09:00:00Z'),
    ('C002', ' Grace@Example.com ', 'silver', '310.00', '2026-05-02T10:30:00Z'),
    ('C003', 'linus@example.com', 'bronze', '45.99', '2026-05-03T11:00:00Z'),
    ('C004', 'margaret@example.com', 'platinum', '9800.00', '2026-05-04T12:15:00Z'),
    ('C005', 'test@example.com', 'bronze', '0', '2026-05-05T08:00:00Z'),
    ('C001', 'ada@example.com', 'platinum', '1890.00', '2026-05-20T09:00:00Z');

CREATE TABLE web (
    cookie text,
    email text,
    event text,
    ts timestamptz
);
INSERT INTO web VALUES
    ('ck-1', NULL, 'page_view', '2026-05-10T08:00:00Z'),
    ('ck-1', 'ada@example.com', 'login', '2026-05-10T08:01:00Z'),
    ('ck-2', 'GRACE@example.com', 'page_view', '2026-05-11T14:00:00Z'),
    ('ck-3', NULL, 'page_view', '2026-05-12T16:20:00Z'),
    ('anonymous', NULL, 'page_view', '2026-05-12T16:25:00Z'),
    ('ck-4', 'linus@example.com', 'add_to_cart', '2026-05-12T08:00:00Z'),
    ('ck-6', NULL, 'search', '2026-05-14T10:00:00Z');

CREATE TABLE app (
    ios_idfa text,
    android_uuid text,
    customer_id text,
    event text,
    occurred_at timestamptz
);
INSERT INTO app VALUES
    ('IDFA-0001', NULL, 'C001', 'app_open', '2026-05-15T07:00:00Z'),
    (NULL, 'AND-0002', 'C002', 'app_open', '2026-05-15T07:30:00Z'),
    ('IDFA-0003', NULL, NULL, 'app_open', '2026-05-16T12:00:00Z'),
    ('IDFA-0001', NULL, 'C004', 'app_open', '2026-05-17T19:00:00Z');
