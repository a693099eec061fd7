-- Events output $1 has passed a full refresh's run: the marks of the rows
-- it had forwarded before that refresh (refresh_forwarded.sql) are done with.
DELETE FROM _mosaic.output_forwarded WHERE output = $1;
