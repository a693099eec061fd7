-- name: writes
-- Every write (set or delete) ever staged on a profile run $1 touches, on
-- that profile as it is now. The profiles: those the run's own writes land
-- on, and those that absorbed another in the run (two profiles' histories
-- can fold to a value neither had alone). It starts from those profiles
-- and joins the writes to their rows: joining every write of the store to
-- its row and profile, for the touched pairs and again for their history,
-- cost 0.65 s of a 1M-user store's incremental run.
CREATE OR REPLACE TEMP TABLE _attr_writes AS
-- the run's rows are the newest: their row ids start at its first
WITH run AS (SELECT min(row_id) AS first FROM _mosaic.feed_rows WHERE run_id = $1),
merged AS (SELECT DISTINCT mpid FROM _mosaic.aliases WHERE run_id = $1),
profs AS (
    SELECT coalesce(al.mpid, rp.mpid) AS mpid
    FROM _mosaic.row_profiles rp LEFT JOIN _mosaic.aliases al ON al.alias_mpid = rp.mpid
    WHERE rp.row_id IN (SELECT row_id FROM _mosaic.feed_attributes WHERE row_id >= (SELECT first FROM run)
                        UNION ALL
                        SELECT row_id FROM _mosaic.feed_deletions WHERE row_id >= (SELECT first FROM run))
    UNION
    SELECT mpid FROM merged
),
-- their rows, by each MPID a row of theirs may carry: theirs and their
-- aliases'
prows AS (
    SELECT rp.row_id, c.mpid
    FROM _mosaic.row_profiles rp
    JOIN (SELECT mpid AS carried, mpid FROM profs
          UNION ALL
          SELECT alias_mpid, mpid FROM _mosaic.aliases WHERE mpid IN (SELECT mpid FROM profs)) c
      ON c.carried = rp.mpid
)
-- touches: the write is the run's, or its profile absorbed another in the
-- run (then every key it ever had is touched)
SELECT w.row_id, p.mpid, w.key, w.value, w.is_delete,
    w.row_id >= (SELECT first FROM run) OR p.mpid IN (SELECT mpid FROM merged) AS touches
FROM prows p
JOIN (SELECT row_id, key, value, false AS is_delete FROM _mosaic.feed_attributes
      UNION ALL
      SELECT row_id, key, NULL, true FROM _mosaic.feed_deletions) w USING (row_id);

-- name: touched
-- The (profile, key) pairs the run touches: the keys its rows set or
-- delete, and every key ever written on a profile that absorbed another
-- in the run.
CREATE OR REPLACE TEMP TABLE _attr_touched AS
SELECT DISTINCT mpid, key FROM _attr_writes WHERE touches;
