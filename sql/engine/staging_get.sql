SELECT value FROM _mosaic.meta WHERE key = 'staging';
