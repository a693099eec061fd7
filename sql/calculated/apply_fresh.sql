-- Store the non-empty values of the fresh definitions (_calc_fresh) as
-- calculated attributes updated at the run's time $1 by run $2. They have
-- no stored value to replace (forget.sql removed them), and a profile
-- without a row holds the empty value.
INSERT INTO _mosaic.attributes (mpid, key, value, source_type, feed, updated_at, calculated, run_id)
SELECT f.mpid, p.name, CAST(f.value AS JSON), 'calculated', 'calculated', $1, true, $2
FROM _calc_fresh f JOIN _calc_plan p USING (idx)
WHERE f.value <> calcEmpty(p.kind);
