-- Schema version 20: the rows of a full refresh that an events output had
-- already forwarded. A full refresh stores every feed's history again as
-- its own run's rows; without these marks each events output forwarded
-- all of it a second time (outputs/refresh_forwarded.sql writes them,
-- outputs/events.sql skips them, outputs/forget_forwarded.sql drops them
-- once the output's position passes the refresh).
CREATE TABLE _mosaic.output_forwarded (
    output VARCHAR NOT NULL,
    row_id BIGINT NOT NULL
);
