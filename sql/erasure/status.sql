-- Erasure request $1 and its identities, in the request's order.
SELECT r.regulation, r.received_time, r.block,
    i.sent_type, i.outcome, i.forget_id, i.profiles, i.staged_rows, i.dropped_rows, i.stats, i.outputs,
    i.message, i.done_at
FROM _mosaic.erasure_requests r
JOIN _mosaic.erasure_identities i USING (request_id)
WHERE r.request_id = $1
ORDER BY i.position;
