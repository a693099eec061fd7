-- Events output $1 has passed the batches it delivered (its position is
-- past them): they need not be remembered one by one.
DELETE FROM _mosaic.output_state WHERE output = $1;
