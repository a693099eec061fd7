-- The sync's temporary tables, dropped when it ends (a long-running
-- process keeps its connection).
DROP TABLE IF EXISTS _out_desired;
DROP TABLE IF EXISTS _out_pending;
