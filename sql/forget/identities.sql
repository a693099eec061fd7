-- The identities of the profiles scope.sql gathered (_forget_mpids), for
-- the outputs to name what of their state derives from them.
SELECT d.identity_type, d.identity_value
FROM _mosaic.identities i JOIN _mosaic.identity_dict d ON d.id = i.identity_id
WHERE i.mpid IN (SELECT mpid FROM _forget_mpids);
