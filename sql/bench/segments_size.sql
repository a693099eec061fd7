-- The segments benchmark's store: stored events, current profiles.
SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM profiles);
