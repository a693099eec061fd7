-- A store of $1 synthetic profiles for the outputs benchmarks: each with an
-- e-mail and a customer id, four attributes (tier, city, ltv, opted_in)
-- and, for one in ten, membership of audience "vip".
INSERT INTO _mosaic.profiles SELECT i, TIMESTAMPTZ '2026-01-01' + to_seconds(i % 86400), TIMESTAMPTZ '2026-06-01', TIMESTAMPTZ '2026-06-01' FROM range($1) t(i);
INSERT INTO _mosaic.identity_dict SELECT 2 * i, 'email', 'user' || i || '@example.com', i FROM range($1) t(i);
INSERT INTO _mosaic.identity_dict SELECT 2 * i + 1, 'customerid', 'C' || i, i FROM range($1) t(i);
INSERT INTO _mosaic.identities SELECT i // 2, TIMESTAMPTZ '2026-01-01', TIMESTAMPTZ '2026-06-01', 'crm', i FROM range(2 * $1) t(i);
INSERT INTO _mosaic.attributes (mpid, key, value, source_type, feed, updated_at)
SELECT i, k.key, CASE k.key
        WHEN 'tier' THEN to_json(['bronze', 'silver', 'gold'][1 + i % 3])
        WHEN 'city' THEN to_json('city ' || i % 1000)
        WHEN 'ltv' THEN to_json(round(i % 10007 * 1.37, 2))
        ELSE to_json(i % 2 = 0) END,
    'warehouse', 'crm', TIMESTAMPTZ '2026-06-01'
FROM range($1) t(i), (VALUES ('tier'), ('city'), ('ltv'), ('opted_in')) k(key);
INSERT INTO _mosaic.audiences VALUES (1, 'vip');
INSERT INTO _mosaic.audience_history SELECT 1, i, TIMESTAMPTZ '2026-06-01', NULL, 1 FROM range(0, $1, 10) t(i);
