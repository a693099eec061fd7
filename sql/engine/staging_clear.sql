DELETE FROM _mosaic.meta WHERE key = 'staging';
