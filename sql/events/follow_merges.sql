-- Events of profiles merged away in run $1 follow the survivor.
UPDATE _mosaic.events AS ev SET mpid = a.mpid FROM _mosaic.aliases a WHERE ev.mpid = a.alias_mpid AND a.run_id = $1;
