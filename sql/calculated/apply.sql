-- Store the changed values (_calc_new) as calculated attributes updated at
-- the run's time $1 by run $2 (fresh definitions have no stored value to
-- replace: forget.sql removed them).
DELETE FROM _mosaic.attributes WHERE calculated AND (mpid, key) IN (SELECT mpid, name FROM _calc_new WHERE NOT fresh);
INSERT INTO _mosaic.attributes (mpid, key, value, source_type, feed, updated_at, calculated, run_id)
SELECT mpid, name, CAST(value AS JSON), 'calculated', 'calculated', $1, true, $2 FROM _calc_new;
