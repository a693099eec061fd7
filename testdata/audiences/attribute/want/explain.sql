-- The compiled query of each audience of pipeline attribute, in the order a
-- run evaluates them (an audience after those it refers to). $now is the
-- run's clock.

-- audience tier_eq_gold (pipeline.yaml:29:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'tier' AND NOT calculated
      AND json_type(value) = 'VARCHAR' AND (value ->> '$') = 'gold'
);

-- audience tier_ne_gold (pipeline.yaml:30:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'tier' AND NOT calculated
      AND json_type(value) <> 'NULL' AND NOT coalesce(json_type(value) = 'VARCHAR' AND (value ->> '$') = 'gold', false)
);

-- audience ltv_eq_50_5 (pipeline.yaml:31:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'ltv' AND NOT calculated
      AND TRY_CAST((value ->> '$') AS DOUBLE) = 50.5
);

-- audience ltv_gt_1000 (pipeline.yaml:32:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'ltv' AND NOT calculated
      AND TRY_CAST((value ->> '$') AS DOUBLE) > 1000
);

-- audience ltv_gte_950 (pipeline.yaml:33:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'ltv' AND NOT calculated
      AND TRY_CAST((value ->> '$') AS DOUBLE) >= 950
);

-- audience ltv_lt_300 (pipeline.yaml:34:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'ltv' AND NOT calculated
      AND TRY_CAST((value ->> '$') AS DOUBLE) < 300
);

-- audience ltv_lte_300 (pipeline.yaml:35:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'ltv' AND NOT calculated
      AND TRY_CAST((value ->> '$') AS DOUBLE) <= 300
);

-- audience city_lt_m (pipeline.yaml:36:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'city' AND NOT calculated
      AND json_type(value) = 'VARCHAR' AND (value ->> '$') < 'M'
);

-- audience tier_in (pipeline.yaml:37:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'tier' AND NOT calculated
      AND (json_type(value) = 'VARCHAR' AND (value ->> '$') IN ('gold', 'silver'))
);

-- audience ltv_in (pipeline.yaml:38:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'ltv' AND NOT calculated
      AND (json_type(value) = 'VARCHAR' AND (value ->> '$') IN ('950') OR TRY_CAST((value ->> '$') AS DOUBLE) IN (300, 5000))
);

-- audience vip_eq_true (pipeline.yaml:39:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'vip' AND NOT calculated
      AND json_type(value) IN ('BOOLEAN', 'VARCHAR') AND (value ->> '$') = 'true'
);

-- audience vip_ne_true (pipeline.yaml:40:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'vip' AND NOT calculated
      AND json_type(value) <> 'NULL' AND NOT coalesce(json_type(value) IN ('BOOLEAN', 'VARCHAR') AND (value ->> '$') = 'true', false)
);

-- audience tags_contains_golf (pipeline.yaml:41:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'tags' AND NOT calculated
      AND CASE json_type(value) WHEN 'VARCHAR' THEN contains((value ->> '$'), 'golf') WHEN 'ARRAY' THEN list_contains(TRY_CAST(value AS VARCHAR[]), 'golf') ELSE false END
);

-- audience city_contains_ari (pipeline.yaml:42:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'city' AND NOT calculated
      AND CASE json_type(value) WHEN 'VARCHAR' THEN contains((value ->> '$'), 'ari') WHEN 'ARRAY' THEN list_contains(TRY_CAST(value AS VARCHAR[]), 'ari') ELSE false END
);

-- audience city_starts_with (pipeline.yaml:43:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'city' AND NOT calculated
      AND json_type(value) = 'VARCHAR' AND starts_with((value ->> '$'), 'Paris')
);

-- audience city_matches (pipeline.yaml:44:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'city' AND NOT calculated
      AND json_type(value) = 'VARCHAR' AND regexp_matches((value ->> '$'), '^(Paris|Lyon)$')
);

-- audience tier_exists (pipeline.yaml:45:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'tier' AND NOT calculated
      AND json_type(value) <> 'NULL'
);

-- audience note_exists (pipeline.yaml:46:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'note' AND NOT calculated
      AND json_type(value) <> 'NULL'
);

-- audience quote_in_value (pipeline.yaml:47:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'it''s' AND NOT calculated
      AND json_type(value) = 'VARCHAR' AND (value ->> '$') = 'a ''quoted''
value'
);
