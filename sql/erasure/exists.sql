-- Whether erasure request $1 was taken.
SELECT count(*) FROM _mosaic.erasure_requests WHERE request_id = $1;
