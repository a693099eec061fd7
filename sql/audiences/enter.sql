-- Profiles that qualify for audience $1 and are not members yet enter at
-- the run's clock $2 in run $3.
INSERT INTO _mosaic.audience_history (audience, mpid, entered_at, exited_at, run_id)
SELECT $1, m.mpid, $2, NULL, $3
FROM _aud_members m
WHERE m.mpid NOT IN (SELECT mpid FROM _mosaic.audience_history WHERE audience = $1 AND exited_at IS NULL);
