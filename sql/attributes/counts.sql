-- The run's attribute writes: how many won their key, and how many a
-- higher-priority source type's value kept out (attribute_writes_ignored).
SELECT count(*) FILTER (WHERE stored_mpid IS NULL AND place = 1),
    count(*) FILTER (WHERE stored_mpid IS NULL AND list_position($1::VARCHAR[], source_type) > best_rank)
FROM _attr_result;
