-- What a sync of output $1 sends: the valid desired records (rank 1) the
-- output has not delivered (added) or delivered with another payload
-- (changed, when $2), and, when $3 (mirror), the records it delivered that
-- are no longer desired (removed, with the payload last delivered). When
-- $4 (an audience output, whose destinations match members by the
-- identities sent), a changed record is preceded by the removal of what
-- was delivered before (replaced), so that identities a member no longer
-- has leave the destination too.
-- Records of a profile erased by `mosaic forget` that the output holds
-- are removed whatever its mode (forgotten; see forget/keys.sql), with
-- the fields of the payload last delivered that $7 names (those that
-- identify the person, so that the receiver can find what it holds), or
-- all of them when $7 is NULL.
-- When $5 > 0 (seconds: a connectors.Refresher's RefreshAfter), the valid
-- desired records the output holds, unchanged, whose last delivery is at
-- least that old at $6 (the sync's clock) are sent again with their
-- current payload (refreshed; refreshes holds that delivery's time, which
-- sets them apart in their idempotency key).
-- since is the sync at which the same delivery (key, payload and whether
-- it removes) was first pending, when the output's last sync set out to
-- send it too and no sync has seen it acknowledged since (output_pending);
-- NULL when it is a new one. Idempotency keys derive from it.
-- Numbered in the order they are sent: removes (and replaced), adds,
-- changes, refreshes, by key, and stored in that order, so that reading or
-- acknowledging a range of numbers skips the rest of the table.
CREATE OR REPLACE TEMP TABLE _out_pending AS
SELECT CAST(row_number() OVER (ORDER BY c.change_order, c.key) AS BIGINT) AS n, c.change, c.key, c.payload, c.hash, c.refreshes, o.since
FROM (
    SELECT CASE WHEN s.key IS NULL THEN 'added' ELSE 'changed' END AS change,
        CASE WHEN s.key IS NULL THEN 2 ELSE 3 END AS change_order,
        d.key, d.payload, d.hash, CAST(NULL AS VARCHAR) AS refreshes
    FROM _out_desired d
    LEFT JOIN (SELECT key, hash FROM _mosaic.output_state WHERE output = $1) s USING (key)
    WHERE d.rank = 1 AND (s.key IS NULL OR ($2 AND s.hash <> d.hash))
    UNION ALL
    SELECT CASE WHEN d.key IS NULL THEN 'removed' ELSE 'replaced' END, 1, s.key, s.payload, s.hash, NULL
    FROM _mosaic.output_state s
    LEFT JOIN (SELECT key, hash FROM _out_desired WHERE rank = 1) d USING (key)
    WHERE s.output = $1
      AND (($3 AND d.key IS NULL) OR ($4 AND $2 AND d.hash <> s.hash))
      AND s.key NOT IN (SELECT key FROM _mosaic.forget_keys WHERE output = $1)
    UNION ALL
    SELECT 'forgotten', 1, s.key,
        CASE WHEN $7::VARCHAR[] IS NULL THEN s.payload
             ELSE (SELECT coalesce(json_group_object(f.key, f.value), '{}') FROM json_each(s.payload) f
                   WHERE list_contains($7::VARCHAR[], f.key)) END,
        s.hash, NULL
    FROM _mosaic.output_state s
    WHERE s.output = $1 AND s.key IN (SELECT key FROM _mosaic.forget_keys WHERE output = $1)
      AND s.key NOT IN (SELECT key FROM _out_desired WHERE rank = 1)
    UNION ALL
    SELECT 'refreshed', 4, d.key, d.payload, d.hash, strftime(s.delivered_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%f')
    FROM _out_desired d
    JOIN _mosaic.output_state s ON s.output = $1 AND s.key = d.key
    WHERE $5 > 0 AND d.rank = 1 AND NOT ($2 AND s.hash <> d.hash)
      AND s.delivered_at <= $6::TIMESTAMPTZ - to_seconds($5::BIGINT)
) c
LEFT JOIN (SELECT key, hash, removed, since FROM _mosaic.output_pending WHERE output = $1) o
    ON o.key = c.key AND o.hash = c.hash AND o.removed = (c.change IN ('removed', 'replaced', 'forgotten'))
ORDER BY n;
