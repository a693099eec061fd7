-- Run $1's staged rows that carry a blocked identity or MPID (a forgotten
-- one, block.sql): they are dropped before identity resolution, with no
-- identity in the record. Each identity and MPID is hashed once for the
-- run: hashing every identity row instead took 23 s of a 1M-user first
-- run's 16M (its 4.8M values: 14 s, both on a busy machine).
-- name: rows
CREATE OR REPLACE TEMP TABLE _blocked_rows AS
WITH run_ids AS (
    SELECT row_id, identity_type, identity_value FROM _mosaic.feed_identities
    WHERE row_id >= (SELECT coalesce(min(row_id), 9223372036854775807) FROM _mosaic.feed_rows WHERE run_id = $1)
),
hit AS (
    SELECT identity_type, identity_value FROM (SELECT DISTINCT identity_type, identity_value FROM run_ids)
    WHERE sha256((SELECT value FROM _mosaic.meta WHERE key = 'identity_salt') || identity_type || ':' || identity_value)
          IN (SELECT hash FROM _mosaic.blocked_identities)
)
SELECT DISTINCT row_id FROM run_ids SEMI JOIN hit USING (identity_type, identity_value)
UNION
SELECT row_id FROM _mosaic.feed_rows
WHERE run_id = $1 AND mpid IN (
    SELECT mpid FROM (SELECT DISTINCT mpid FROM _mosaic.feed_rows WHERE run_id = $1 AND mpid IS NOT NULL)
    WHERE sha256((SELECT value FROM _mosaic.meta WHERE key = 'identity_salt') || 'mpid:' || CAST(mpid AS VARCHAR))
          IN (SELECT hash FROM _mosaic.blocked_identities));
-- name: dropped
INSERT INTO _mosaic.dropped_rows (run_id, feed, reason, "row")
SELECT $1, feed, 'forgotten_identity', json_object('origin', origin, 'row_pos', row_pos)
FROM _mosaic.feed_rows WHERE row_id IN (SELECT row_id FROM _blocked_rows) AND run_id = $1;
