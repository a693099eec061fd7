-- Run $1 changes the tier of every hundredth profile (1%): what a routine
-- run does to a CRM's records.
UPDATE _mosaic.attributes SET value = to_json('changed in run ' || $1), updated_at = now() WHERE key = 'tier' AND mpid % 100 = $1 % 100;
