-- The profile an identity resolves to, by its key: TYPE:VALUE.
SELECT mpid FROM _mosaic.profile_keys WHERE key = $1;
