-- The batches rows.sql gives a reason not to keep, with the reason: few,
-- so that each statement keeping the others excludes them with an anti
-- join on a small table, not a join on one row per batch (at 1M users the
-- web feed's 6.5M: a hash table of them built for every statement).
CREATE OR REPLACE TEMP TABLE _bnotkept AS
SELECT row_pos, reason FROM _brows WHERE reason IS NOT NULL;
