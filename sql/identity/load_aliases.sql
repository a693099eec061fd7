SELECT a.alias_mpid, a.mpid FROM _mosaic.aliases a WHERE a.alias_mpid IN (SELECT mpid FROM _id_run WHERE mpid <> 0);
