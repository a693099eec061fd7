-- The types table of connectors/bigquery's TestRESTTypes, inserted with DML
-- into the emulator (TABLE is replaced by the test's table): the same rows
-- as the recorded Storage Read stream testdata/bigquery/storage/types.
INSERT INTO TABLE (int64_col, float64_col, numeric_col, bool_col, string_col, bytes_col, date_col, datetime_col, timestamp_col, time_col, json_col, geography_col, array_col, struct_col)
VALUES
  (-9007199254740993, 3.25, NUMERIC '123.456789012', TRUE, 'gold ✓', b'\xde\xad', DATE '2026-05-01', DATETIME '2026-05-01 09:30:15.123456',
   TIMESTAMP '2026-05-01 09:30:15.123456+00', TIME '09:30:15.123456', JSON '{"a":[1,2],"b":"x"}', ST_GEOGFROMTEXT('POINT(1 2)'), ['a', 'b'],
   STRUCT(7 AS n, 's0' AS s, JSON '{"k":true}' AS j)),
  (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, [], NULL),
  (42, -0.001, NUMERIC '-0.000000005', FALSE, "it's", b'', DATE '1999-12-31', DATETIME '1999-12-31 23:59:59',
   TIMESTAMP '1999-12-31 23:59:59+00', TIME '23:59:59', JSON '3', ST_GEOGFROMTEXT('POINT(-3 4.5)'), ['c'],
   STRUCT(9 AS n, 's2' AS s, JSON '{"k":true}' AS j))
