-- Audience $1's changes: at each run's clock that changed it, how many
-- profiles entered and exited, and the size after.
WITH moves AS (
    SELECT entered_at AS changed_at, 1 AS entered, 0 AS exited FROM main.audience_history WHERE audience = $1
    UNION ALL
    SELECT exited_at, 0, 1 FROM main.audience_history WHERE audience = $1 AND exited_at IS NOT NULL
), per AS (
    SELECT changed_at, sum(entered) AS entered, sum(exited) AS exited FROM moves GROUP BY changed_at
)
SELECT changed_at, entered, exited, sum(entered - exited) OVER (ORDER BY changed_at) AS members
FROM per ORDER BY changed_at;
