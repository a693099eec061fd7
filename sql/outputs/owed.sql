-- Events output $1's position moves to its sync's run (advance.sql, in one
-- transaction, before forget_delivered.sql): it owes the rows of the
-- sync's batches (_out_desired: the new runs' and those it owed before)
-- that it does not hold as delivered, those the destination refused, in
-- place of what it owed. A row gone since was not desired: it is no
-- longer owed.
-- name: clear
DELETE FROM _mosaic.output_owed WHERE output = $1;
-- name: owe
INSERT INTO _mosaic.output_owed (output, row_id)
SELECT $1, row_id FROM _out_desired
WHERE key NOT IN (SELECT key FROM _mosaic.output_state WHERE output = $1);
