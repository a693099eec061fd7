-- Identity rows staged in the store, for the report.
SELECT count(*) FROM _mosaic.feed_identities;
