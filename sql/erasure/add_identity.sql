-- Identity $2 (its position) of erasure request $1: the type as sent
-- ($3), as stored ($4), and the value ($5), kept until it is erased.
INSERT INTO _mosaic.erasure_identities (request_id, position, sent_type, identity_type, identity_value)
VALUES ($1, $2, $3, $4, $5);
