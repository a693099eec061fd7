-- A read staged in chunks (FeedStage.Arrow), before the next chunk: the
-- request ids of this chunk's batches not kept, for the next chunks'
-- duplicate check (rows.sql.tmpl; the kept ones are in feed_rows).
CREATE TEMP TABLE IF NOT EXISTS _bearlier (request_id VARCHAR);
INSERT INTO _bearlier
SELECT m.request_id FROM _bmapped m SEMI JOIN _bnotkept n ON n.row_pos = m.row_pos
WHERE m.request_id IS NOT NULL;
