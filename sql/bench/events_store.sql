-- $1 staged rows of runs 1 to $2 for the events output benchmark, over the
-- $3 profiles of outputs_store.sql: odd rows are batches of feed web (feed
-- 0, kept as they came), even ones rows of the columnar feed app (feed 1),
-- each of one event, with an e-mail (and an app row's customer id and
-- plan) staged, resolved to profile row_id % $3. Events output ev has
-- forwarded every run up to $2 - 1 but rows 1 and 2 (run 1, one of each
-- feed), which the destination refused: it owes them. The arguments go to
-- the first statement, which keeps them for the others; the last one
-- writes the store out, as a run leaves it.
-- name: params
CREATE OR REPLACE TEMP TABLE _bench_events AS SELECT CAST($1 AS BIGINT) AS nrows, CAST($2 AS BIGINT) AS nruns, CAST($3 AS BIGINT) AS nprofiles;
-- name: runs
INSERT INTO _mosaic.runs (run_id, pipeline, started_at, finished_at, status)
SELECT r, 'bench', TIMESTAMPTZ '2026-06-01' + to_hours(r), TIMESTAMPTZ '2026-06-01' + to_hours(r), 'succeeded'
FROM _bench_events, range(1, nruns + 1) t(r);
-- name: rows
INSERT INTO _mosaic.feed_rows (row_id, run_id, feed, feed_pos, row_pos, ts, mpid, origin, request_id, request_uuid)
SELECT i, 1 + (i - 1) * nruns // nrows, CASE WHEN i % 2 = 1 THEN 'web' ELSE 'app' END, CAST(1 - i % 2 AS INTEGER), i,
    TIMESTAMPTZ '2026-06-01' + to_seconds(i), NULL, 'data/' || i, CASE WHEN i % 2 = 1 THEN 'r' || i END, NULL
FROM _bench_events, range(1, nrows + 1) t(i);
-- name: batches
INSERT INTO _mosaic.feed_batches (row_id, batch)
SELECT i, '{"environment":"production","source_request_id":"r' || i || '","user_identities":{"email":"user' || i % nprofiles
    || '@example.com"},"events":[{"event_type":"custom_event","data":{"event_name":"e","timestamp_unixtime_ms":'
    || epoch_ms(TIMESTAMPTZ '2026-06-01' + to_seconds(i)) || '}}]}'
FROM _bench_events, range(1, nrows + 1, 2) t(i);
-- name: events
INSERT INTO _mosaic.feed_events (row_id, event_id, event_type, event_name, occurred_at, attributes, feed_pos, batch_id, event_uuid, batch_uuid)
SELECT i, CASE WHEN i % 2 = 1 THEN 'r' || i || ':0' ELSE md5(CAST(i AS VARCHAR)) END, 'custom_event',
    CASE WHEN i % 2 = 1 THEN 'e' ELSE 'page_view' END, TIMESTAMPTZ '2026-06-01' + to_seconds(i), NULL,
    CAST(1 - i % 2 AS INTEGER), CASE WHEN i % 2 = 1 THEN 'r' || i END, NULL, NULL
FROM _bench_events, range(1, nrows + 1) t(i);
-- name: identities
INSERT INTO _mosaic.feed_identities (row_id, identity_type, identity_value)
SELECT i, t, CASE t WHEN 'email' THEN 'user' || i % nprofiles || '@example.com' ELSE 'C' || i % nprofiles END
FROM _bench_events, range(1, nrows + 1) r(i), (VALUES ('customerid'), ('email')) k(t)
WHERE t = 'email' OR i % 2 = 0
ORDER BY i;
-- name: attributes
INSERT INTO _mosaic.feed_attributes (row_id, key, value)
SELECT i, 'plan', to_json(['free', 'pro'][1 + i // 2 % 2]) FROM _bench_events, range(2, nrows + 1, 2) t(i);
-- name: profiles
INSERT INTO _mosaic.row_profiles (row_id, mpid) SELECT i, i % nprofiles FROM _bench_events, range(1, nrows + 1) t(i);
-- name: position
INSERT INTO _mosaic.output_positions (output, run_id) SELECT 'ev', nruns - 1 FROM _bench_events;
-- name: owed
INSERT INTO _mosaic.output_owed (output, row_id) VALUES ('ev', 1), ('ev', 2);
-- name: done
DROP TABLE _bench_events;
-- name: checkpoint
CHECKPOINT;
