-- Members of audience $1 that no longer qualify (or whose MPID was merged
-- away) leave at the run's clock $2. run_id stays the run that let them in.
UPDATE _mosaic.audience_history SET exited_at = $2
WHERE audience = $1 AND exited_at IS NULL
  AND mpid NOT IN (SELECT mpid FROM _aud_members);
