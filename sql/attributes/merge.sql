-- Combine each (profile, key) that the run touches: the stored attributes of
-- profiles merged away (now aliases) and of keys the run writes, with the
-- run's writes. The winner per key is the write of the highest-priority
-- source type ($1: source types, highest first), and among those the latest
-- in application order (time, feed, run, row). With sets only, that is what
-- applying every write one at a time gives (DESIGN.md §6).
CREATE OR REPLACE TEMP TABLE _attr_result AS
WITH existing AS (
    SELECT coalesce(al.mpid, a.mpid) AS mpid, a.key, a.value, a.source_type, a.feed, a.updated_at, a.feed_pos, a.run_id, a.row_pos,
        a.mpid AS stored_mpid
    FROM _mosaic.attributes a LEFT JOIN _mosaic.aliases al ON al.alias_mpid = a.mpid
    WHERE NOT a.calculated
      AND (al.mpid IS NOT NULL OR (a.mpid, a.key) IN (SELECT mpid, key FROM _attr_writes))
), candidates AS (
    SELECT *, NULL::BIGINT AS stored_mpid FROM _attr_writes
    UNION ALL BY NAME
    SELECT * FROM existing
)
SELECT *,
    row_number() OVER (PARTITION BY mpid, key ORDER BY list_position($1::VARCHAR[], source_type),
        updated_at DESC, feed_pos DESC, run_id DESC, row_pos DESC) AS place,
    min(list_position($1::VARCHAR[], source_type)) OVER (PARTITION BY mpid, key) AS best_rank
FROM candidates;
