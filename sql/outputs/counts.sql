-- The sync's counts: records to add, change and remove ($1 the output),
-- desired records that are invalid, valid desired records, records the
-- output holds, the pending rows in all (a changed audience record is
-- two: the removal of what it replaces, then the record), and the records
-- it holds that no forget request claims (what an empty mirror would
-- sweep), and the records sent again to refresh them.
SELECT
    (SELECT count(*) FILTER (WHERE change = 'added') FROM _out_pending),
    (SELECT count(*) FILTER (WHERE change = 'changed') FROM _out_pending),
    (SELECT count(*) FILTER (WHERE change IN ('removed', 'forgotten')) FROM _out_pending),
    (SELECT count(*) FILTER (WHERE rank <> 1) FROM _out_desired),
    (SELECT count(*) FILTER (WHERE rank = 1) FROM _out_desired),
    (SELECT count(*) FROM _mosaic.output_state WHERE output = $1),
    (SELECT count(*) FROM _out_pending),
    (SELECT count(*) FROM _mosaic.output_state
     WHERE output = $1 AND key NOT IN (SELECT key FROM _mosaic.forget_keys WHERE output = $1)),
    (SELECT count(*) FILTER (WHERE change = 'refreshed') FROM _out_pending);
