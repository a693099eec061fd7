DROP VIEW IF EXISTS _aud_members;
DROP TABLE IF EXISTS _aud_leaves;
DROP TABLE IF EXISTS _aud_delta;
