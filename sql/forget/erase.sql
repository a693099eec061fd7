-- Erase the profiles scope.sql gathered: their identities, attributes,
-- calculated values, events, audience entries, aliases, refused joins and Profile API
-- documents, the staged rows rows.sql found (with their batches), and, for
-- each value of _forget_values, the dictionary entry unless another
-- profile holds it. What outputs delivered or failed is handled before
-- (keys.sql), and so are the dropped rows and runs' stats that name the
-- profiles or their values (dropped.sql, shared.sql, largest.sql), which
-- read the staged rows.
-- name: unresolved_events
-- Events of the rows that resolved to no profile were stored without one,
-- and without their row: each is found as the copy of one of the rows'
-- staged events (its feed, ids and time; an id is text or a UUID:
-- migrations/0019_uuid_ids.sql).
-- A batch's request id would not do: a batch may have none, and a
-- columnar feed's rows have none.
DELETE FROM _mosaic.events ev
WHERE ev.mpid IS NULL AND EXISTS (
    SELECT 1 FROM _mosaic.feed_events fe JOIN _mosaic.feed_rows r USING (row_id)
    WHERE fe.row_id IN (SELECT row_id FROM _forget_rows) AND r.feed = ev.feed AND fe.occurred_at = ev.occurred_at
      AND fe.event_id IS NOT DISTINCT FROM ev.event_id AND fe.event_uuid IS NOT DISTINCT FROM ev.event_uuid
      AND fe.batch_id IS NOT DISTINCT FROM ev.batch_id AND fe.batch_uuid IS NOT DISTINCT FROM ev.batch_uuid);
-- name: feed_identities
DELETE FROM _mosaic.feed_identities WHERE row_id IN (SELECT row_id FROM _forget_rows);
-- name: feed_attributes
DELETE FROM _mosaic.feed_attributes WHERE row_id IN (SELECT row_id FROM _forget_rows);
-- name: feed_deletions
DELETE FROM _mosaic.feed_deletions WHERE row_id IN (SELECT row_id FROM _forget_rows);
-- name: feed_events
DELETE FROM _mosaic.feed_events WHERE row_id IN (SELECT row_id FROM _forget_rows);
-- name: feed_batches
DELETE FROM _mosaic.feed_batches WHERE row_id IN (SELECT row_id FROM _forget_rows);
-- name: feed_rows
DELETE FROM _mosaic.feed_rows WHERE row_id IN (SELECT row_id FROM _forget_rows);
-- name: row_profiles
DELETE FROM _mosaic.row_profiles WHERE mpid IN (SELECT mpid FROM _forget_mpids);
-- name: identities
DELETE FROM _mosaic.identities WHERE mpid IN (SELECT mpid FROM _forget_mpids);
-- name: dictionary
-- Only entries no remaining profile holds: a value the rows carried may be
-- another profile's too.
DELETE FROM _mosaic.identity_dict
WHERE (identity_type, identity_value) IN (SELECT identity_type, identity_value FROM _forget_values)
  AND id NOT IN (SELECT identity_id FROM _mosaic.identities);
-- name: attributes
DELETE FROM _mosaic.attributes WHERE mpid IN (SELECT mpid FROM _forget_mpids);
-- name: calc_values
DELETE FROM _mosaic.calc_values WHERE mpid IN (SELECT mpid FROM _forget_mpids);
-- name: events
DELETE FROM _mosaic.events WHERE mpid IN (SELECT mpid FROM _forget_mpids);
-- name: audience_history
DELETE FROM _mosaic.audience_history WHERE mpid IN (SELECT mpid FROM _forget_mpids);
-- name: merge_refusals
DELETE FROM _mosaic.merge_refusals
WHERE mpid IN (SELECT mpid FROM _forget_mpids) OR other_mpid IN (SELECT mpid FROM _forget_mpids) OR row_id IN (SELECT row_id FROM _forget_rows);
-- name: aliases
DELETE FROM _mosaic.aliases WHERE mpid IN (SELECT mpid FROM _forget_mpids) OR alias_mpid IN (SELECT mpid FROM _forget_mpids);
-- name: profiles
DELETE FROM _mosaic.profiles WHERE mpid IN (SELECT mpid FROM _forget_mpids);
-- name: profile_docs
DELETE FROM _mosaic.profile_docs WHERE mpid IN (SELECT mpid FROM _forget_mpids);
-- name: profile_keys
DELETE FROM _mosaic.profile_keys WHERE mpid IN (SELECT mpid FROM _forget_mpids);
