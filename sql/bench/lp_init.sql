-- Baseline for the identity stage (docs/performance.md): connected components of the
-- row–identity graph by iterative label propagation with pointer jumping,
-- the textbook way to do it in SQL. It ignores every identity rule (unique
-- types, limits, protection), so it does less than the stage. Identities
-- are named by a 64-bit hash of (type, value), as a plain SQL job would.
CREATE OR REPLACE TEMP TABLE lp_edges AS
SELECT row_id AS r, hash(identity_type, identity_value) AS i FROM _mosaic.feed_identities;
CREATE OR REPLACE TEMP TABLE lp_label AS SELECT DISTINCT r AS node, r AS label FROM lp_edges;
