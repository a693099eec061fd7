-- The new value of each dirty pair that changes (temp table _calc_new;
-- fresh definitions' values are stored by fresh.sql.tmpl):
-- full pairs take their aggregate, or the kind's empty value when no input
-- event is left; the others combine the stored value with the aggregate of
-- the run's new events (or keep it when there is none). A profile gets a
-- row the first time its value is not empty, and keeps it after: a value
-- whose events are gone becomes empty, never stale.
CREATE OR REPLACE TEMP TABLE _calc_new AS
WITH next AS (
    SELECT p.attr, p.kind, x.mpid, CAST(o.value AS VARCHAR) AS old,
        CASE WHEN x.whole THEN coalesce(r.value, calcEmpty(p.kind))
             WHEN r.mpid IS NULL THEN CAST(o.value AS VARCHAR)
             ELSE coalesce(CASE p.kind
                WHEN 'count' THEN CAST(coalesce(TRY_CAST(CAST(o.value AS VARCHAR) AS BIGINT), 0) + r.n AS VARCHAR)
                WHEN 'sum' THEN calcDec(coalesce(calcDecimal(o.value), 0) + coalesce(r.total, 0))
                WHEN 'min' THEN calcDec(least(calcDecimal(o.value), r.lo))
                WHEN 'max' THEN calcDec(greatest(calcDecimal(o.value), r.hi))
             END, 'null') END AS value
    FROM _calc_dirty x
    JOIN _calc_plan p USING (idx)
    LEFT JOIN _calc_agg r USING (idx, mpid)
    LEFT JOIN _mosaic.calc_values o ON o.attr = p.attr AND o.mpid = x.mpid
)
SELECT attr, mpid, value FROM next
WHERE value IS DISTINCT FROM old AND (old IS NOT NULL OR value <> calcEmpty(kind));
