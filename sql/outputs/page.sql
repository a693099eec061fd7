-- Records $1 to $2 of the pending ones, in order; when $3 (nulls: skip,
-- never an events output's: a batch goes with every field it had), the
-- added and changed records' null fields are left out, nested ones too
-- (the fields keep their order). refreshes is '' but for a refresh;
-- since is $4 (the sync) for a delivery no earlier sync set out to send.
SELECT n, change, key,
    CAST(CASE WHEN $3 AND change IN ('added', 'changed', 'refreshed') THEN json_merge_patch('{}', payload) ELSE payload END AS VARCHAR) AS fields,
    CAST(payload AS VARCHAR) AS payload, hash, coalesce(refreshes, '') AS refreshes, coalesce(since, $4) AS since
FROM _out_pending WHERE n BETWEEN $1 AND $2 ORDER BY n;
