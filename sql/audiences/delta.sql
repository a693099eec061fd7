-- What changes for the audiences of one level ($1: their numbers in
-- _mosaic.audiences, in the order of _aud_members' aud): members now
-- (_aud_members) that are not open members yet enter, open members that no
-- longer qualify (or whose MPID was merged away) exit. Unchanged memberships
-- are not touched. The join is on (aud, mpid), integers: a text column
-- costs DuckDB far more to write and read back in the run's transaction
-- (7M entries when every audience is new at 1M users).
CREATE OR REPLACE TEMP TABLE _aud_delta AS
WITH open AS (
    SELECT CAST(list_position($1::INTEGER[], audience_id) AS INTEGER) AS aud, mpid
    FROM _mosaic.audience_history
    WHERE exited_at IS NULL AND list_contains($1::INTEGER[], audience_id)
)
SELECT coalesce(m.aud, h.aud) AS aud, coalesce(m.mpid, h.mpid) AS mpid, m.mpid IS NOT NULL AS enters
FROM _aud_members m
FULL OUTER JOIN open h ON h.aud = m.aud AND h.mpid = m.mpid
WHERE m.mpid IS NULL OR h.mpid IS NULL;
