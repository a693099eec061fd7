-- The batches an events output should forward: every feed row of runs $1
-- (exclusive: the output's position) to $2 that is a batch the store kept
-- (with events or only user attributes) or whose events it kept —
-- rows of only_read feeds ($3: their positions), which are forwarded as
-- they came (no mpid, their own identities and attributes), and rows that
-- resolved to a profile, which are forwarded enriched with that profile
-- (its survivor after merges) as it is now: mpid, user_identities (the most
-- recently seen value of each user identity type, in the Events API's
-- spelling), user_attributes (calculated ones and null values included;
-- keys in $4 when it is not empty, and not in $5) and audience_memberships.
-- Rows of only_update feeds that matched no profile were dropped and kept
-- no event: they are not forwarded. A batch feed's row is its batch as it
-- came (with every field, such as device_info); another feed's row becomes
-- a batch of its events. Keyed feed:row_id. Objects are built with their
-- keys in order (string_agg … ORDER BY), so that a batch's payload is
-- stable. Rows of a full refresh that output $9 forwarded before it are
-- skipped (refresh_forwarded.sql). The rows it owes (owed.sql: refused by
-- an earlier sync, of runs up to $1; an id staged again since, after its
-- row was deleted, is not one) go again, found by their ids, not by
-- reading their runs.
CREATE OR REPLACE TEMP TABLE _out_desired AS
WITH
first_row AS (SELECT coalesce(min(row_id), 0) AS row_id FROM _mosaic.feed_rows WHERE run_id > $1),
new_rows AS (
    SELECT row_id, feed, feed_pos, false AS owed FROM _mosaic.feed_rows
    WHERE run_id > $1 AND run_id <= $2
      AND row_id IN (SELECT row_id FROM _mosaic.feed_events WHERE row_id >= (SELECT row_id FROM first_row)
                     UNION ALL
                     SELECT row_id FROM _mosaic.feed_batches WHERE row_id >= (SELECT row_id FROM first_row))
      AND row_id NOT IN (SELECT row_id FROM _mosaic.output_forwarded WHERE output = $9)
),
owed_rows AS (
    SELECT row_id, feed, feed_pos, true AS owed FROM _mosaic.feed_rows
    WHERE row_id IN (SELECT row_id FROM _mosaic.output_owed WHERE output = $9) AND run_id <= $1
),
run_rows AS (
    -- Each part joined to its profiles apart, so that neither scan of
    -- row_profiles reaches the other's rows.
    SELECT r.row_id, r.feed, r.feed_pos, r.owed,
        CASE WHEN list_contains($3::INTEGER[], r.feed_pos) THEN NULL ELSE coalesce(al.mpid, r.mpid) END AS mpid
    FROM (
        SELECT n.*, rp.mpid FROM new_rows n LEFT JOIN _mosaic.row_profiles rp USING (row_id)
        UNION ALL
        SELECT o.*, rp.mpid FROM owed_rows o LEFT JOIN _mosaic.row_profiles rp USING (row_id)
    ) r
    LEFT JOIN _mosaic.aliases al ON al.alias_mpid = r.mpid
    WHERE r.mpid IS NOT NULL OR list_contains($3::INTEGER[], r.feed_pos)
),
-- The staged rows of run_rows are read in two parts, each a semi join on
-- its own ids: DuckDB bounds a part's scans by the range of its ids (and
-- by the ids themselves, up to 50 of them), so that the new runs' rows
-- are read from the first of them on and the owed ones by their ids, not
-- every row staged since the oldest one owed (more than 50 owed ids: the
-- rows from the oldest to the newest). Owing two rows of the first of 100
-- runs, 1M rows staged (BenchmarkEventsOwed at 100k profiles): 164-175 ms
-- against 320-446 ms read from the oldest owed row on; 3M rows staged,
-- the new run as large: 174-204 ms against 675-900 ms.
new_ids AS (SELECT row_id FROM run_rows WHERE NOT owed),
owed_ids AS (SELECT row_id FROM run_rows WHERE owed),
run_batches AS (
    SELECT row_id, batch FROM _mosaic.feed_batches WHERE row_id IN (SELECT row_id FROM new_ids)
    UNION ALL
    SELECT row_id, batch FROM _mosaic.feed_batches WHERE row_id IN (SELECT row_id FROM owed_ids)
),
id_keys AS (
    -- Where a batch carries each identity type ($6), as mosaic's batch
    -- decoder reads it: the object ($7: user_identities or device_info)
    -- and the key there ($8: customer_id, ios_advertising_id, …). The
    -- Events API refuses a device identity in user_identities.
    SELECT unnest($6::VARCHAR[]) AS identity_type, unnest($7::VARCHAR[]) AS object, unnest($8::VARCHAR[]) AS id_key
),
row_ids AS (
    -- A columnar row's own identities, one object per place (a batch
    -- feed's row goes as its batch: built, below, leaves it out).
    SELECT i.row_id, k.object, CAST('{' || string_agg(CAST(to_json(k.id_key) AS VARCHAR) || ':' || CAST(to_json(i.identity_value) AS VARCHAR),
        ',' ORDER BY i.identity_type) || '}' AS JSON) AS ids
    FROM (
        SELECT row_id, identity_type, identity_value FROM _mosaic.feed_identities WHERE row_id IN (SELECT row_id FROM new_ids)
        UNION ALL
        SELECT row_id, identity_type, identity_value FROM _mosaic.feed_identities WHERE row_id IN (SELECT row_id FROM owed_ids)
    ) i JOIN id_keys k USING (identity_type)
    WHERE i.row_id NOT IN (SELECT row_id FROM run_batches)
    GROUP BY i.row_id, k.object
),
row_attrs AS (
    SELECT row_id, CAST('{' || string_agg(CAST(to_json(key) AS VARCHAR) || ':' || coalesce(CAST(value AS VARCHAR), 'null'), ',' ORDER BY key) || '}' AS JSON) AS attrs
    FROM (
        SELECT row_id, key, value FROM _mosaic.feed_attributes WHERE row_id IN (SELECT row_id FROM new_ids)
        UNION ALL
        SELECT row_id, key, value FROM _mosaic.feed_attributes WHERE row_id IN (SELECT row_id FROM owed_ids)
    )
    GROUP BY row_id
),
row_events AS (
    SELECT row_id, json_group_array(json_object('event_type', event_type, 'data', json_object(
            'event_name', event_name, 'custom_event_type', 'other', 'source_message_id', coalesce(event_id, CAST(event_uuid AS VARCHAR)),
            'timestamp_unixtime_ms', epoch_ms(occurred_at), 'custom_attributes', attributes))) AS events
    FROM (
        SELECT * FROM _mosaic.feed_events WHERE row_id IN (SELECT row_id FROM new_ids)
        UNION ALL
        SELECT * FROM _mosaic.feed_events WHERE row_id IN (SELECT row_id FROM owed_ids)
    )
    GROUP BY row_id
),
built AS (
    -- Rows of columnar feeds: a batch of their events, their own
    -- identities (device_info left out when they have no device one) and
    -- attributes (kept for only_read rows; enrichment replaces the
    -- others' but for device_info, which describes the row's device).
    SELECT r.row_id,
        json_merge_patch(json_object(
            'environment', 'production',
            'source_request_id', r.feed || ':' || r.row_id,
            'user_identities', u.ids,
            'user_attributes', coalesce(a.attrs, CAST('{}' AS JSON)),
            'device_info', dv.ids,
            'events', e.events),
            CASE WHEN dv.ids IS NULL THEN '{"device_info": null}' ELSE '{}' END) AS batch
    FROM run_rows r
    LEFT JOIN row_ids u ON u.row_id = r.row_id AND u.object = 'user_identities'
    LEFT JOIN row_ids dv ON dv.row_id = r.row_id AND dv.object = 'device_info'
    LEFT JOIN row_attrs a ON a.row_id = r.row_id
    LEFT JOIN row_events e ON e.row_id = r.row_id
    WHERE r.row_id NOT IN (SELECT row_id FROM run_batches)
),
base AS (
    SELECT r.row_id, r.feed, r.mpid, CAST(coalesce(b.batch, c.batch) AS JSON) AS batch
    FROM run_rows r
    LEFT JOIN run_batches b USING (row_id)
    LEFT JOIN built c USING (row_id)
),
pids AS (
    SELECT mpid, CAST('{' || string_agg(CAST(to_json(id_key) AS VARCHAR)
        || ':' || CAST(to_json(identity_value) AS VARCHAR), ',' ORDER BY identity_type) || '}' AS JSON) AS ids
    FROM (
        SELECT i.mpid, d.identity_type, arg_max(d.identity_value, struct_pack(t := i.last_seen_at, v := d.identity_value)) AS identity_value
        FROM _mosaic.identities i JOIN _mosaic.identity_dict d ON d.id = i.identity_id
        WHERE i.mpid IN (SELECT mpid FROM base)
          AND d.identity_type IN (SELECT identity_type FROM id_keys WHERE object = 'user_identities')
        GROUP BY i.mpid, d.identity_type
    ) JOIN id_keys USING (identity_type)
    GROUP BY mpid
),
pattrs AS (
    SELECT mpid, CAST('{' || string_agg(CAST(to_json(key) AS VARCHAR) || ':' || coalesce(CAST(value AS VARCHAR), 'null'), ',' ORDER BY key) || '}' AS JSON) AS attrs
    FROM (
        SELECT mpid, key, value FROM _mosaic.attributes WHERE mpid IN (SELECT mpid FROM base)
        UNION ALL
        SELECT v.mpid, s.name, v.value FROM _mosaic.calc_values v JOIN _mosaic.calc_state s ON s.id = v.attr
        WHERE v.mpid IN (SELECT mpid FROM base)
    )
    WHERE (len($4::VARCHAR[]) = 0 OR list_contains($4::VARCHAR[], key)) AND NOT list_contains($5::VARCHAR[], key)
    GROUP BY mpid
),
pauds AS (
    SELECT h.mpid, to_json(list(json_object('audience_name', a.name) ORDER BY a.name)) AS auds
    FROM _mosaic.audience_history h JOIN _mosaic.audiences a ON a.id = h.audience_id
    WHERE h.exited_at IS NULL AND h.mpid IN (SELECT mpid FROM base)
    GROUP BY h.mpid
),
stripped AS (
    -- The batch without what enrichment replaces (a merge patch's nulls
    -- delete keys; the batch's own nulls, as the target, stay).
    SELECT b.feed, b.row_id, b.mpid, CASE WHEN b.mpid IS NULL THEN CAST(b.batch AS VARCHAR) ELSE CAST(json_merge_patch(b.batch,
        '{"mpid": null, "user_identities": null, "user_attributes": null, "audience_memberships": null}') AS VARCHAR) END AS batch
    FROM base b
),
records AS (
    -- The profile's keys are appended to the batch's text, not merged in:
    -- a merge patch would drop each attribute whose value is null, which
    -- is a value of the profile's. The batch is a compact JSON object.
    SELECT b.feed || ':' || b.row_id AS key, b.row_id,
        CASE WHEN b.mpid IS NULL THEN CAST(b.batch AS JSON)
        ELSE CAST(CASE WHEN b.batch = '{}' THEN '{' ELSE substr(b.batch, 1, length(b.batch) - 1) || ',' END
            || '"mpid":' || b.mpid
            || ',"user_identities":' || coalesce(CAST(p.ids AS VARCHAR), '{}')
            || ',"user_attributes":' || coalesce(CAST(a.attrs AS VARCHAR), '{}')
            || ',"audience_memberships":' || coalesce(CAST(m.auds AS VARCHAR), '[]') || '}' AS JSON) END AS payload
    FROM stripped b
    LEFT JOIN pids p USING (mpid)
    LEFT JOIN pattrs a USING (mpid)
    LEFT JOIN pauds m USING (mpid)
)
SELECT key, payload, md5(CAST(payload AS VARCHAR)) AS hash, 1 AS rank, row_id FROM records;
