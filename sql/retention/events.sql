-- Delete the events of the days before $1 (a DATE): whole days, which the
-- day-ordered events table holds in their own row groups.
DELETE FROM _mosaic.events WHERE occurred_day < CAST($1 AS DATE);
