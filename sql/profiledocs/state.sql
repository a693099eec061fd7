-- As of which run and for which definitions the documents are current.
SELECT (SELECT value FROM _mosaic.meta WHERE key = 'profile_docs'),
       (SELECT coalesce(max(run_id), 0) FROM _mosaic.runs WHERE status = 'succeeded');
