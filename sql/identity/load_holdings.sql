-- The identities of the reached profiles ($1: the types in priority order).
SELECT i.mpid, i.identity_id, CAST(list_position($1::VARCHAR[], d.identity_type) - 1 AS BIGINT) AS rank,
    epoch_us(i.first_seen_at), epoch_us(i.last_seen_at), i.feed
FROM _mosaic.identities i JOIN _id_reach USING (mpid) JOIN _mosaic.identity_dict d ON d.id = i.identity_id;
