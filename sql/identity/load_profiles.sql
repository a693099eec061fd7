SELECT p.mpid, epoch_us(p.created_at), epoch_us(p.updated_at), epoch_us(p.last_seen_at)
FROM _mosaic.profiles p JOIN _id_reach USING (mpid);
