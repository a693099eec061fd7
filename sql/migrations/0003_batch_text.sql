-- Staged batches are kept as the text that came in: the batch decoder has
-- already validated each one, and casting every batch to JSON again was the
-- costliest statement of staging a batch feed. Readers cast when they need
-- JSON (CAST(batch AS JSON)).
ALTER TABLE _mosaic.feed_batches ALTER batch TYPE VARCHAR;
