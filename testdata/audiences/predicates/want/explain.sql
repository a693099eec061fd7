-- The compiled query of each audience of pipeline predicates, in the order a
-- run evaluates them (an audience after those it refers to). $now is the
-- run's clock.

-- audience attr_eq_num (pipeline.yaml:30:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'v' AND NOT calculated
      AND TRY_CAST((value ->> '$') AS DOUBLE) = 5
);

-- audience event_eq_num (pipeline.yaml:31:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ
      AND (TRY_CAST((json_extract(attributes, '/v')
     ->> '$') AS DOUBLE) = 5
    )
    GROUP BY mpid
    HAVING count(*) >= 1
);

-- audience attr_eq_num_frac (pipeline.yaml:32:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'v' AND NOT calculated
      AND TRY_CAST((value ->> '$') AS DOUBLE) = 12.5
);

-- audience event_eq_num_frac (pipeline.yaml:33:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ
      AND (TRY_CAST((json_extract(attributes, '/v')
     ->> '$') AS DOUBLE) = 12.5
    )
    GROUP BY mpid
    HAVING count(*) >= 1
);

-- audience attr_eq_text (pipeline.yaml:34:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'v' AND NOT calculated
      AND json_type(value) = 'VARCHAR' AND (value ->> '$') = 'gold'
);

-- audience event_eq_text (pipeline.yaml:35:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ
      AND (json_type(json_extract(attributes, '/v')
    ) = 'VARCHAR' AND (json_extract(attributes, '/v')
     ->> '$') = 'gold'
    )
    GROUP BY mpid
    HAVING count(*) >= 1
);

-- audience attr_eq_text_digits (pipeline.yaml:36:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'v' AND NOT calculated
      AND json_type(value) = 'VARCHAR' AND (value ->> '$') = '5'
);

-- audience event_eq_text_digits (pipeline.yaml:37:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ
      AND (json_type(json_extract(attributes, '/v')
    ) = 'VARCHAR' AND (json_extract(attributes, '/v')
     ->> '$') = '5'
    )
    GROUP BY mpid
    HAVING count(*) >= 1
);

-- audience attr_eq_bool (pipeline.yaml:38:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'v' AND NOT calculated
      AND json_type(value) IN ('BOOLEAN', 'VARCHAR') AND (value ->> '$') = 'true'
);

-- audience event_eq_bool (pipeline.yaml:39:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ
      AND (json_type(json_extract(attributes, '/v')
    ) IN ('BOOLEAN', 'VARCHAR') AND (json_extract(attributes, '/v')
     ->> '$') = 'true'
    )
    GROUP BY mpid
    HAVING count(*) >= 1
);

-- audience attr_ne_num (pipeline.yaml:40:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'v' AND NOT calculated
      AND json_type(value) <> 'NULL' AND NOT coalesce(TRY_CAST((value ->> '$') AS DOUBLE) = 5, false)
);

-- audience event_ne_num (pipeline.yaml:41:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ
      AND (json_type(json_extract(attributes, '/v')
    ) <> 'NULL' AND NOT coalesce(TRY_CAST((json_extract(attributes, '/v')
     ->> '$') AS DOUBLE) = 5, false)
    )
    GROUP BY mpid
    HAVING count(*) >= 1
);

-- audience attr_ne_text (pipeline.yaml:42:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'v' AND NOT calculated
      AND json_type(value) <> 'NULL' AND NOT coalesce(json_type(value) = 'VARCHAR' AND (value ->> '$') = 'gold', false)
);

-- audience event_ne_text (pipeline.yaml:43:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ
      AND (json_type(json_extract(attributes, '/v')
    ) <> 'NULL' AND NOT coalesce(json_type(json_extract(attributes, '/v')
    ) = 'VARCHAR' AND (json_extract(attributes, '/v')
     ->> '$') = 'gold', false)
    )
    GROUP BY mpid
    HAVING count(*) >= 1
);

-- audience attr_ne_bool (pipeline.yaml:44:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'v' AND NOT calculated
      AND json_type(value) <> 'NULL' AND NOT coalesce(json_type(value) IN ('BOOLEAN', 'VARCHAR') AND (value ->> '$') = 'true', false)
);

-- audience event_ne_bool (pipeline.yaml:45:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ
      AND (json_type(json_extract(attributes, '/v')
    ) <> 'NULL' AND NOT coalesce(json_type(json_extract(attributes, '/v')
    ) IN ('BOOLEAN', 'VARCHAR') AND (json_extract(attributes, '/v')
     ->> '$') = 'true', false)
    )
    GROUP BY mpid
    HAVING count(*) >= 1
);

-- audience attr_lt_num (pipeline.yaml:46:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'v' AND NOT calculated
      AND TRY_CAST((value ->> '$') AS DOUBLE) < 12.5
);

-- audience event_lt_num (pipeline.yaml:47:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ
      AND (TRY_CAST((json_extract(attributes, '/v')
     ->> '$') AS DOUBLE) < 12.5
    )
    GROUP BY mpid
    HAVING count(*) >= 1
);

-- audience attr_lte_num (pipeline.yaml:48:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'v' AND NOT calculated
      AND TRY_CAST((value ->> '$') AS DOUBLE) <= 12.5
);

-- audience event_lte_num (pipeline.yaml:49:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ
      AND (TRY_CAST((json_extract(attributes, '/v')
     ->> '$') AS DOUBLE) <= 12.5
    )
    GROUP BY mpid
    HAVING count(*) >= 1
);

-- audience attr_gt_num (pipeline.yaml:50:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'v' AND NOT calculated
      AND TRY_CAST((value ->> '$') AS DOUBLE) > 5
);

-- audience event_gt_num (pipeline.yaml:51:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ
      AND (TRY_CAST((json_extract(attributes, '/v')
     ->> '$') AS DOUBLE) > 5
    )
    GROUP BY mpid
    HAVING count(*) >= 1
);

-- audience attr_gte_num (pipeline.yaml:52:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'v' AND NOT calculated
      AND TRY_CAST((value ->> '$') AS DOUBLE) >= 5
);

-- audience event_gte_num (pipeline.yaml:53:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ
      AND (TRY_CAST((json_extract(attributes, '/v')
     ->> '$') AS DOUBLE) >= 5
    )
    GROUP BY mpid
    HAVING count(*) >= 1
);

-- audience attr_lt_text (pipeline.yaml:54:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'v' AND NOT calculated
      AND json_type(value) = 'VARCHAR' AND (value ->> '$') < 'gold'
);

-- audience event_lt_text (pipeline.yaml:55:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ
      AND (json_type(json_extract(attributes, '/v')
    ) = 'VARCHAR' AND (json_extract(attributes, '/v')
     ->> '$') < 'gold'
    )
    GROUP BY mpid
    HAVING count(*) >= 1
);

-- audience attr_lte_text (pipeline.yaml:56:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'v' AND NOT calculated
      AND json_type(value) = 'VARCHAR' AND (value ->> '$') <= 'gold'
);

-- audience event_lte_text (pipeline.yaml:57:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ
      AND (json_type(json_extract(attributes, '/v')
    ) = 'VARCHAR' AND (json_extract(attributes, '/v')
     ->> '$') <= 'gold'
    )
    GROUP BY mpid
    HAVING count(*) >= 1
);

-- audience attr_gt_text (pipeline.yaml:58:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'v' AND NOT calculated
      AND json_type(value) = 'VARCHAR' AND (value ->> '$') > 'gold'
);

-- audience event_gt_text (pipeline.yaml:59:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ
      AND (json_type(json_extract(attributes, '/v')
    ) = 'VARCHAR' AND (json_extract(attributes, '/v')
     ->> '$') > 'gold'
    )
    GROUP BY mpid
    HAVING count(*) >= 1
);

-- audience attr_gte_text (pipeline.yaml:60:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'v' AND NOT calculated
      AND json_type(value) = 'VARCHAR' AND (value ->> '$') >= 'gold'
);

-- audience event_gte_text (pipeline.yaml:61:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ
      AND (json_type(json_extract(attributes, '/v')
    ) = 'VARCHAR' AND (json_extract(attributes, '/v')
     ->> '$') >= 'gold'
    )
    GROUP BY mpid
    HAVING count(*) >= 1
);

-- audience attr_in_mixed (pipeline.yaml:62:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'v' AND NOT calculated
      AND (json_type(value) = 'VARCHAR' AND (value ->> '$') IN ('gold') OR TRY_CAST((value ->> '$') AS DOUBLE) IN (5) OR json_type(value) IN ('BOOLEAN', 'VARCHAR') AND (value ->> '$') IN ('true'))
);

-- audience event_in_mixed (pipeline.yaml:63:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ
      AND ((json_type(json_extract(attributes, '/v')
    ) = 'VARCHAR' AND (json_extract(attributes, '/v')
     ->> '$') IN ('gold') OR TRY_CAST((json_extract(attributes, '/v')
     ->> '$') AS DOUBLE) IN (5) OR json_type(json_extract(attributes, '/v')
    ) IN ('BOOLEAN', 'VARCHAR') AND (json_extract(attributes, '/v')
     ->> '$') IN ('true'))
    )
    GROUP BY mpid
    HAVING count(*) >= 1
);

-- audience attr_contains_text (pipeline.yaml:64:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'v' AND NOT calculated
      AND CASE json_type(value) WHEN 'VARCHAR' THEN contains((value ->> '$'), 'old') WHEN 'ARRAY' THEN list_contains(TRY_CAST(value AS VARCHAR[]), 'old') ELSE false END
);

-- audience event_contains_text (pipeline.yaml:65:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ
      AND (CASE json_type(json_extract(attributes, '/v')
    ) WHEN 'VARCHAR' THEN contains((json_extract(attributes, '/v')
     ->> '$'), 'old') WHEN 'ARRAY' THEN list_contains(TRY_CAST(json_extract(attributes, '/v')
     AS VARCHAR[]), 'old') ELSE false END
    )
    GROUP BY mpid
    HAVING count(*) >= 1
);

-- audience attr_contains_list (pipeline.yaml:66:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'v' AND NOT calculated
      AND CASE json_type(value) WHEN 'VARCHAR' THEN contains((value ->> '$'), 'silver') WHEN 'ARRAY' THEN list_contains(TRY_CAST(value AS VARCHAR[]), 'silver') ELSE false END
);

-- audience event_contains_list (pipeline.yaml:67:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ
      AND (CASE json_type(json_extract(attributes, '/v')
    ) WHEN 'VARCHAR' THEN contains((json_extract(attributes, '/v')
     ->> '$'), 'silver') WHEN 'ARRAY' THEN list_contains(TRY_CAST(json_extract(attributes, '/v')
     AS VARCHAR[]), 'silver') ELSE false END
    )
    GROUP BY mpid
    HAVING count(*) >= 1
);

-- audience attr_starts_with (pipeline.yaml:68:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'v' AND NOT calculated
      AND json_type(value) = 'VARCHAR' AND starts_with((value ->> '$'), 'gol')
);

-- audience event_starts_with (pipeline.yaml:69:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ
      AND (json_type(json_extract(attributes, '/v')
    ) = 'VARCHAR' AND starts_with((json_extract(attributes, '/v')
     ->> '$'), 'gol')
    )
    GROUP BY mpid
    HAVING count(*) >= 1
);

-- audience attr_matches (pipeline.yaml:70:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'v' AND NOT calculated
      AND json_type(value) = 'VARCHAR' AND regexp_matches((value ->> '$'), '^G')
);

-- audience event_matches (pipeline.yaml:71:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ
      AND (json_type(json_extract(attributes, '/v')
    ) = 'VARCHAR' AND regexp_matches((json_extract(attributes, '/v')
     ->> '$'), '^G')
    )
    GROUP BY mpid
    HAVING count(*) >= 1
);

-- audience attr_exists (pipeline.yaml:72:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_attributes
    WHERE key = 'v' AND NOT calculated
      AND json_type(value) <> 'NULL'
);

-- audience event_exists (pipeline.yaml:73:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.events
    WHERE mpid IS NOT NULL AND event_name = 'e'
      AND occurred_at <= $now::TIMESTAMPTZ
      AND (json_type(json_extract(attributes, '/v')
    ) <> 'NULL'
    )
    GROUP BY mpid
    HAVING count(*) >= 1
);
