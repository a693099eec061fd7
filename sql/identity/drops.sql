-- Rows and identities the identity stage dropped. $1 run id.
INSERT INTO _mosaic.dropped_rows (run_id, feed, reason, "row")
SELECT $1, r.feed, x.reason,
    CASE WHEN x.ident = 0 THEN json_object('origin', r.origin, 'row_pos', r.row_pos, 'mpid', r.mpid)
         ELSE json_object('identity_type', d.identity_type, 'identity_value', d.identity_value, 'origin', r.origin, 'row_pos', r.row_pos) END
FROM _id_drops x
JOIN _mosaic.feed_rows r ON r.row_id = x.row_id AND r.run_id = $1
LEFT JOIN (SELECT * FROM _mosaic.identity_dict WHERE id IN (SELECT ident FROM _id_drops)) d ON d.id = x.ident
