-- The entries of _aud_delta enter at the run's clock $1 in run $2.
INSERT INTO _mosaic.audience_history (audience, mpid, entered_at, exited_at, run_id)
SELECT audience, mpid, $1, NULL, $2 FROM _aud_delta WHERE enters;
