-- Schema version 18: feed_rows' origins (file:line, one a row of a line
-- file) and request ids get FSST named, as 0017_string_compression.sql
-- did for the event ids. 20M of the 10M-user web feed's pairs were written
-- in 6.6-7.4 s against 10.4-10.6 s. A table feed's rows share their file's
-- origin, which DuckDB would store as a dictionary: FSST takes 44 blocks
-- for 5M of them where a dictionary took 3 (about 2 bytes a row).
CREATE TABLE _mosaic.feed_rows_v18 (
    row_id     BIGINT NOT NULL,
    run_id     BIGINT NOT NULL,
    feed       VARCHAR NOT NULL,
    feed_pos   INTEGER NOT NULL,
    row_pos    BIGINT NOT NULL,
    ts         TIMESTAMPTZ NOT NULL,
    mpid       BIGINT,
    origin     VARCHAR USING COMPRESSION fsst,
    request_id VARCHAR USING COMPRESSION fsst
);
INSERT INTO _mosaic.feed_rows_v18 SELECT * FROM _mosaic.feed_rows;
DROP TABLE _mosaic.feed_rows;
ALTER TABLE _mosaic.feed_rows_v18 RENAME TO feed_rows;
