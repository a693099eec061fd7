-- Forget what output $1's last sync set out to send: it ended owing
-- nothing (every record acknowledged, so the next delivery of any is a new
-- one), or a sync is about to replace it (pending_keep.sql).
DELETE FROM _mosaic.output_pending WHERE output = $1;
