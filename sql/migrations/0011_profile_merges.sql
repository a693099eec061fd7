-- Schema version 11: profile_merges, public. Each merge the identity stage
-- made: its run and time, the feed and row (as dropped_rows names rows)
-- whose identity, held by the absorbed profile, linked the two, that
-- identity, the absorbed MPID and its survivor now. Merges made before
-- this version name no row and no identity.
ALTER TABLE _mosaic.aliases ADD COLUMN row_id BIGINT;
ALTER TABLE _mosaic.aliases ADD COLUMN identity_id BIGINT;
CREATE VIEW main.profile_merges AS
    SELECT a.run_id, a.merged_at, f.feed,
           CASE WHEN f.row_id IS NOT NULL
                THEN CAST(json_object('origin', f.origin, 'row_pos', f.row_pos, 'source_request_id', f.request_id) AS JSON) END AS "row",
           d.identity_type, d.identity_value,
           a.alias_mpid AS merged_mpid,
           a.mpid
    FROM _mosaic.aliases a
    LEFT JOIN _mosaic.feed_rows f ON f.row_id = a.row_id
    LEFT JOIN _mosaic.identity_dict d ON d.id = a.identity_id;
