-- An erasure request accepted: its id ($1), regulation ($2), when the
-- data subject submitted it ($3), when the server received it ($4), and
-- whether its identities are blocked ($5).
INSERT INTO _mosaic.erasure_requests (request_id, regulation, submitted_time, received_time, block)
VALUES ($1, $2, $3, $4, $5);
