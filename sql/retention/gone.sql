-- How many profiles retention deletes, and the first $1 of their MPIDs as
-- a JSON list.
SELECT count(*), CAST(to_json(coalesce(list(mpid ORDER BY mpid)[1:$1], [])) AS VARCHAR) FROM _ret_gone;
