-- Store the changed values of the dirty pairs (_calc_new) as updated at the
-- run's time $1 by run $2.
DELETE FROM _mosaic.calc_values WHERE (mpid, attr) IN (SELECT mpid, attr FROM _calc_new);
INSERT INTO _mosaic.calc_values (mpid, attr, value, updated_at, run_id)
SELECT mpid, attr, CAST(value AS JSON), $1, $2 FROM _calc_new;
