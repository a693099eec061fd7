-- Make the last round's labels the current ones.
CREATE OR REPLACE TEMP TABLE lp_label AS SELECT * FROM lp_jump;
