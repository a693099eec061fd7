-- Tests only (calc's freshAsPairs, TestFreshEqualsPairs): compute the
-- fresh definitions the other way, as full dirty pairs of every profile
-- with an event of their name (events.sql.tmpl, aggregate.sql), so that
-- fresh.sql.tmpl can be compared with it.
CREATE OR REPLACE TEMP TABLE _calc_dirty AS
SELECT idx, mpid, bool_or(whole) AS whole FROM (
    SELECT idx, mpid, whole FROM _calc_dirty
    UNION ALL
    SELECT DISTINCT p.idx, e.mpid, true
    FROM _calc_plan p JOIN _mosaic.events e ON e.event_name = p.event
    WHERE p.fresh AND e.mpid IS NOT NULL
)
GROUP BY idx, mpid;
UPDATE _calc_plan SET fresh = false;
