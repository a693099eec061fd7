-- Run $1's distinct identities, each with the rows that carry it: the one
-- pass over the run's identity strings. The run's rows are the newest:
-- their row ids start at the run's first (zone maps skip the rest).
CREATE OR REPLACE TEMP TABLE _id_groups AS
SELECT identity_type AS t, identity_value AS v, list(row_id) AS rows
FROM _mosaic.feed_identities
WHERE row_id >= (SELECT min(row_id) FROM _mosaic.feed_rows WHERE run_id = $1)
GROUP BY ALL;
