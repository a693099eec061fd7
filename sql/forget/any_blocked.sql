SELECT count(*) FROM _mosaic.blocked_identities;
