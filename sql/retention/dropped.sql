-- What the runs that started before $1 (the run's clock less the shortest
-- window retention sets) recorded of the rows they read goes: their
-- dropped rows, raw input that may hold events and profile data alike,
-- and the lists of their stats that name people (profiles.shared: the
-- identity values identity.max_shared kept from linking; profiles.largest
-- and retention.deleted_mpids: MPIDs). Their counts (shared_values,
-- profiles_deleted and the rest) stay: they name no one.
-- The current run has no runs row yet, and a run's staging left behind by
-- a crash none either: neither is touched.
-- name: rows
DELETE FROM _mosaic.dropped_rows
WHERE run_id IN (SELECT run_id FROM _mosaic.runs WHERE started_at < $1);
-- name: stats
-- Only the runs that still hold a list: once cleared, a run is not
-- written again at every later run (merge_patch drops a null).
UPDATE _mosaic.runs SET stats = json_merge_patch(stats, '{"profiles": {"shared": null, "largest": null}, "retention": {"deleted_mpids": null}}')
WHERE started_at < $1
  AND (json_exists(stats, '$.profiles.shared') OR json_exists(stats, '$.profiles.largest')
       OR json_exists(stats, '$.retention.deleted_mpids'));
