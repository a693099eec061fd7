-- The fresh definitions (new or changed) of the run, as a comma-separated
-- list of their positions in the pipeline file ('' for none).
SELECT coalesce(string_agg(CAST(idx AS VARCHAR), ',' ORDER BY idx), '') FROM _calc_plan WHERE fresh;
