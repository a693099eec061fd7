-- The profiles (as they are now: through their aliases) whose document run
-- $1, at the run's clock $2, may have changed: those its rows resolved to,
-- that absorbed another, whose attributes or calculated values it wrote,
-- or that entered or left an audience in it. What else changes a profile
-- (retention, forget, a new definition) deletes it or rebuilds every
-- document.
CREATE OR REPLACE TEMP TABLE _docs_dirty AS
SELECT DISTINCT coalesce(a.mpid, t.mpid) AS mpid
FROM (
    SELECT mpid FROM _mosaic.row_profiles WHERE row_id IN (SELECT row_id FROM _mosaic.feed_rows WHERE run_id = $1)
    UNION ALL SELECT mpid FROM _mosaic.aliases WHERE run_id = $1
    UNION ALL SELECT mpid FROM _mosaic.attributes WHERE run_id = $1
    UNION ALL SELECT mpid FROM _mosaic.calc_values WHERE run_id = $1
    UNION ALL SELECT mpid FROM _mosaic.audience_history WHERE run_id = $1 OR exited_at = $2
) t
LEFT JOIN _mosaic.aliases a ON a.alias_mpid = t.mpid
WHERE coalesce(a.mpid, t.mpid) IN (SELECT mpid FROM _mosaic.profiles);
