-- A profile's identities refer to the dictionary by id instead of repeating
-- its strings: writing the 4.8M identities of 1M users spent most of its
-- 12 s copying strings. The public view joins the strings back.
DROP VIEW main.profile_identities;
ALTER TABLE _mosaic.identities DROP COLUMN identity_type;
ALTER TABLE _mosaic.identities DROP COLUMN identity_value;
CREATE VIEW main.profile_identities AS
    SELECT i.mpid, d.identity_type, d.identity_value, i.first_seen_at, i.last_seen_at, i.feed
    FROM _mosaic.identities i JOIN _mosaic.identity_dict d ON d.id = i.identity_id;
