-- Remember each calculated attribute's definition and window as computed
-- by run $1.
DELETE FROM _mosaic.calc_state;
INSERT INTO _mosaic.calc_state (name, definition, lower_at, upper_at, run_id)
SELECT name, definition, lower_at, upper_at, $1 FROM _calc_plan;
