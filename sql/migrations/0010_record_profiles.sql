-- Schema version 10: record_profiles, public. Each staged row that
-- resolved to a profile: its run, feed and reference (where it came from
-- and its position, as dropped_rows names rows), the profile it landed in
-- then, and that profile now (through aliases), so an analyst can join a
-- source record to its profile.
CREATE VIEW main.record_profiles AS
    SELECT f.run_id, f.feed,
           CAST(json_object('origin', f.origin, 'row_pos', f.row_pos, 'source_request_id', f.request_id) AS JSON) AS "row",
           rp.mpid AS mpid_then,
           coalesce(a.mpid, rp.mpid) AS mpid
    FROM _mosaic.row_profiles rp
    JOIN _mosaic.feed_rows f USING (row_id)
    LEFT JOIN _mosaic.aliases a ON a.alias_mpid = rp.mpid;
