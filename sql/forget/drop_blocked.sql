-- Remove the rows blocked_rows.sql found from the run's staged rows.
DELETE FROM _mosaic.feed_identities WHERE row_id IN (SELECT row_id FROM _blocked_rows);
DELETE FROM _mosaic.feed_attributes WHERE row_id IN (SELECT row_id FROM _blocked_rows);
DELETE FROM _mosaic.feed_deletions WHERE row_id IN (SELECT row_id FROM _blocked_rows);
DELETE FROM _mosaic.feed_events WHERE row_id IN (SELECT row_id FROM _blocked_rows);
DELETE FROM _mosaic.feed_batches WHERE row_id IN (SELECT row_id FROM _blocked_rows);
DELETE FROM _mosaic.feed_rows WHERE row_id IN (SELECT row_id FROM _blocked_rows);
