SELECT coalesce(max(forget_id), 0) + 1 FROM _mosaic.forget_requests;
