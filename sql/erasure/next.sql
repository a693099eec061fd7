-- The next identity to erase: the oldest request's first one waiting.
SELECT i.request_id, i.position, i.identity_type, i.identity_value, r.regulation, r.block
FROM _mosaic.erasure_identities i
JOIN _mosaic.erasure_requests r USING (request_id)
WHERE i.outcome IS NULL
ORDER BY r.received_time, i.request_id, i.position
LIMIT 1;
