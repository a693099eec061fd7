-- Records sync $1 of output $2 (from run $3) could not deliver, given as
-- lists: keys $4, operations $5, errors $6, payloads $7 (one insert a
-- batch). A record's attempts count the syncs that failed it since the
-- output last delivered it (all of them if never).
INSERT INTO _mosaic.output_failures (sync_id, output, run_id, key, operation, attempts, error, payload)
SELECT $1, $2, $3, r.key, r.op,
    CAST(1 + (SELECT count(*) FROM _mosaic.output_failures f JOIN _mosaic.output_syncs s USING (sync_id)
              WHERE f.output = $2 AND f.key = r.key
                AND s.started_at > coalesce((SELECT delivered_at FROM _mosaic.output_state WHERE output = $2 AND key = r.key), '-infinity'::TIMESTAMPTZ)) AS INTEGER),
    r.err, CAST(r.payload AS JSON)
FROM (SELECT unnest($4::VARCHAR[]) AS key, unnest($5::VARCHAR[]) AS op, unnest($6::VARCHAR[]) AS err, unnest($7::VARCHAR[]) AS payload) r;
