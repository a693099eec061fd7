-- Each staged event carries its row's feed position and batch id
-- (source_request_id), so that storing a run's events reads no feed_rows:
-- joining them cost 5 of the 9.6 s it took at 1M users. Rows staged
-- before this migration hold NULL; a run reads only its own.
ALTER TABLE _mosaic.feed_events ADD COLUMN feed_pos INTEGER;
ALTER TABLE _mosaic.feed_events ADD COLUMN batch_id VARCHAR;
