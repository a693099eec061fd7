-- How many outputs forget request $1 owes a removal.
SELECT count(*) FROM _mosaic.forget_outputs WHERE forget_id = $1;
