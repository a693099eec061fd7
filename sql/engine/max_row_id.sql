SELECT coalesce(max(row_id), 0) FROM _mosaic.feed_rows;
