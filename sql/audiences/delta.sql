-- What changes for the audiences of one level ($1: their names): members
-- now (_aud_members) that are not open members yet enter, open members that
-- no longer qualify (or whose MPID was merged away) exit. Unchanged
-- memberships are not touched.
CREATE OR REPLACE TEMP TABLE _aud_delta AS
SELECT coalesce(m.audience, h.audience) AS audience, coalesce(m.mpid, h.mpid) AS mpid, m.mpid IS NOT NULL AS enters
FROM _aud_members m
FULL OUTER JOIN (
    SELECT audience, mpid FROM _mosaic.audience_history
    WHERE exited_at IS NULL AND list_contains($1::VARCHAR[], audience)
) h ON h.audience = m.audience AND h.mpid = m.mpid
WHERE m.mpid IS NULL OR h.mpid IS NULL;
