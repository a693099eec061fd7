-- The entries of _aud_delta (audience: its number in $3, the level's
-- numbers) enter at the run's clock $1 in run $2.
INSERT INTO _mosaic.audience_history (audience_id, mpid, entered_at, exited_at, run_id)
SELECT ($3::INTEGER[])[aud], mpid, $1, NULL, $2 FROM _aud_delta WHERE enters;
