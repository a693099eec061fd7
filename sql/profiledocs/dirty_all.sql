-- Every profile's document is written afresh.
CREATE OR REPLACE TEMP TABLE _docs_dirty AS SELECT mpid FROM _mosaic.profiles;
