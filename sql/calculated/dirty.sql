-- The (attribute, profile) pairs run $1 recomputes; full: from all the
-- profile's input events in the window, else (count, sum, min, max whose
-- only change is new events) by combining the stored value with the run's
-- new events. A pair is full when the definition is fresh, the profile
-- absorbed another in the run, or one of its input events entered or left
-- the window since the last run (the window slid, or retention moved the
-- lifetime bound; the run's own events are new, not entering). Predicates are ignored here: a superset is harmless.
-- Fresh definitions need no pairs: every profile's events are read
-- (events.sql.tmpl) and their values come from the aggregate alone
-- (changes.sql), as no value of theirs is stored (forget.sql).
CREATE OR REPLACE TEMP TABLE _calc_dirty AS
WITH pairs AS (
    SELECT p.idx, a.mpid, true AS whole
    FROM _calc_plan p, (SELECT DISTINCT mpid FROM _mosaic.aliases WHERE run_id = $1) a
    WHERE NOT p.fresh
    UNION ALL
    SELECT p.idx, e.mpid, true
    FROM _calc_plan p JOIN _mosaic.events e ON e.event_name = p.event
    WHERE NOT p.fresh AND e.mpid IS NOT NULL AND e.run_id IS DISTINCT FROM $1 AND (
        (e.occurred_at >= least(p.lower_at, p.prev_lower) AND e.occurred_at < greatest(p.lower_at, p.prev_lower))
        OR (e.occurred_at > least(p.upper_at, p.prev_upper) AND e.occurred_at <= greatest(p.upper_at, p.prev_upper)))
    UNION ALL
    SELECT p.idx, e.mpid, p.kind NOT IN ('count', 'sum', 'min', 'max')
    FROM _calc_plan p JOIN _mosaic.events e ON e.event_name = p.event
    WHERE NOT p.fresh AND e.run_id = $1 AND e.mpid IS NOT NULL
)
SELECT idx, mpid, bool_or(whole) AS whole FROM pairs GROUP BY idx, mpid;
