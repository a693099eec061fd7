-- Remember each calculated attribute's definition, window and number as
-- computed by run $1.
DELETE FROM _mosaic.calc_state;
INSERT INTO _mosaic.calc_state (name, definition, lower_at, upper_at, run_id, id)
SELECT name, definition, lower_at, upper_at, $1, attr FROM _calc_plan;
