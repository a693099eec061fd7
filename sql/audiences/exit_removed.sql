-- Members of audiences the pipeline file ($1: its audience names) no
-- longer has leave at the run's clock $2.
UPDATE _mosaic.audience_history SET exited_at = $2
WHERE exited_at IS NULL
  AND audience_id NOT IN (SELECT id FROM _mosaic.audiences WHERE list_contains($1::VARCHAR[], name));
