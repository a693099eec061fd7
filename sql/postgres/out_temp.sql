-- One batch of a postgres output's records, emptied at each commit.
CREATE TEMP TABLE IF NOT EXISTS mosaic_batch (op text NOT NULL, key text NOT NULL, fields jsonb NOT NULL) ON COMMIT DELETE ROWS
