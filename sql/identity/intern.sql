-- Add the run's new identities (_id_groups) to the dictionary.
INSERT INTO _mosaic.identity_dict (id, identity_type, identity_value, seed)
SELECT id, t, v, seed FROM _id_groups WHERE new;
