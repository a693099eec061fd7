-- The run's calculated attributes (temp table _calc_defs, staged by
-- internal/calculated) beside their state as last computed: a definition that is
-- new or changed is fresh (computed for every profile), the others move
-- their window from [prev_lower, prev_upper] to [lower_at, upper_at]. attr
-- numbers a definition's values (calc_values.attr): it keeps its number
-- while its name stays, a new name takes the next free one.
CREATE OR REPLACE TEMP TABLE _calc_plan AS
SELECT d.idx, d.name, d.kind, d.event, d.path, d.definition,
    coalesce(s.id, (SELECT coalesce(max(id), 0) FROM _mosaic.calc_state)
        + CAST(row_number() OVER (PARTITION BY s.id IS NULL ORDER BY d.idx) AS INTEGER)) AS attr,
    make_timestamptz(d.lower_us) AS lower_at, make_timestamptz(d.upper_us) AS upper_at,
    s.lower_at AS prev_lower, s.upper_at AS prev_upper,
    s.name IS NULL OR s.definition <> d.definition AS fresh
FROM _calc_defs d
LEFT JOIN _mosaic.calc_state s USING (name);
