-- A run's staging commits ahead of the run (engine/staging.go), its dropped
-- rows included: the public view shows the rows of recorded runs only, so
-- that it changes when a run commits, as every other view does.
CREATE OR REPLACE VIEW main.dropped_rows AS
    SELECT run_id, feed, reason, "row" FROM _mosaic.dropped_rows
    WHERE run_id IN (SELECT run_id FROM _mosaic.runs);
