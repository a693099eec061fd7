-- Schema version 22: output_owed, private. The staged rows an events
-- output's sync set out to forward and could not (the destination refused
-- them, each alone): the sync moved the output's position past their run
-- all the same, so that one refused batch does not hold back the rest, and
-- each later sync forwards them again with the new runs' rows until it
-- delivers them (outputs/owed.sql writes them when the position moves,
-- outputs/events.sql reads them). A row gone (retention, a full refresh,
-- `mosaic forget`) is no longer owed.
CREATE TABLE _mosaic.output_owed (
    output VARCHAR NOT NULL,
    row_id BIGINT NOT NULL
);
