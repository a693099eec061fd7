-- The MPIDs whose document the run wrote or deleted: a server drops its
-- copies of these and keeps the others'.
SELECT mpid FROM _docs_dirty
UNION ALL
SELECT mpid FROM _docs_gone;
