-- How many records output $1 holds.
SELECT count(*) FROM _mosaic.output_state WHERE output = $1;
