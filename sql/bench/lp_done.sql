-- How many components label propagation found.
SELECT count(DISTINCT label) FROM lp_label;
