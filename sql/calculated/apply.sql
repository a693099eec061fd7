-- Store the changed values of the dirty pairs (_calc_new) as calculated
-- attributes updated at the run's time $1 by run $2.
DELETE FROM _mosaic.attributes WHERE calculated AND (mpid, key) IN (SELECT mpid, name FROM _calc_new);
INSERT INTO _mosaic.attributes (mpid, key, value, source_type, feed, updated_at, calculated, run_id)
SELECT mpid, name, CAST(value AS JSON), NULL, NULL, $1, true, $2 FROM _calc_new;
