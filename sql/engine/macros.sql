-- Helper macros for the staging SQL, created per connection (temporary).
-- epochTS: seconds or milliseconds since the epoch, told apart by size.
CREATE OR REPLACE TEMP MACRO epochTS(n) AS
    CASE WHEN abs(n) >= 100000000000 THEN make_timestamptz(CAST(n AS BIGINT) * 1000)
         ELSE make_timestamptz(CAST(n AS BIGINT) * 1000000) END;
-- textTS: ISO 8601 text, or all-digit epoch text.
CREATE OR REPLACE TEMP MACRO textTS(s) AS
    coalesce(TRY_CAST(s AS TIMESTAMPTZ),
        CASE WHEN regexp_full_match(trim(s), '-?[0-9]{1,15}') THEN epochTS(CAST(trim(s) AS BIGINT)) END);
-- cursorKey: a cursor value's sort key: integers as they are, timestamps as
-- epoch microseconds; NULL when it is neither.
CREATE OR REPLACE TEMP MACRO cursorKey(s) AS
    coalesce(TRY_CAST(s AS HUGEINT), epoch_us(TRY_CAST(s AS TIMESTAMPTZ)));
