-- The profiles that existed before the run and whose updated_at it moved,
-- by the identity stage or by the attribute stage after it: of those
-- written again (_id_before, apply.sql), those whose updated_at is now
-- later than before.
SELECT count(*) FROM _id_before b JOIN _mosaic.profiles p USING (mpid)
WHERE epoch_us(p.updated_at) > b.before_us;
