SELECT a.alias_mpid, a.mpid FROM _mosaic.aliases a WHERE a.alias_mpid IN (SELECT mpid FROM _mosaic.feed_rows WHERE run_id = $1 AND mpid IS NOT NULL);
