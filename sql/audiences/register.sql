-- Number the audiences of the pipeline file ($1: their names) that the
-- store does not know yet, after the largest number in use, in file order.
-- A name keeps its number for as long as the store has it, also while the
-- file leaves it out: its history refers to it.
INSERT INTO _mosaic.audiences (id, name)
SELECT (SELECT coalesce(max(id), 0) FROM _mosaic.audiences) + CAST(row_number() OVER (ORDER BY pos) AS INTEGER), name
FROM (SELECT unnest($1::VARCHAR[]) AS name, generate_subscripts($1::VARCHAR[], 1) AS pos)
WHERE name NOT IN (SELECT name FROM _mosaic.audiences);
