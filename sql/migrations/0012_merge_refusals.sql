-- Schema version 12: profile_merge_refusals, public. Each join the identity
-- rules turned down: the run and the row's time, the feed and row (as
-- dropped_rows names rows) whose identity linked two profiles, that
-- identity, the profile the row went to (NULL when the row was dropped:
-- only_update found no other match), the profile kept apart from it (both
-- as they are now, through aliases), how many of the run's rows met the
-- same refusal (the row is the first), and the rule that kept them apart:
-- unique_conflict or identity_limit, with its identity type.
CREATE TABLE _mosaic.merge_refusals (
    run_id      BIGINT NOT NULL,
    refused_at  TIMESTAMPTZ NOT NULL,
    row_id      BIGINT NOT NULL,
    identity_id BIGINT,
    mpid        BIGINT,
    other_mpid  BIGINT NOT NULL,
    "rows"      BIGINT NOT NULL,
    rule        VARCHAR NOT NULL,
    rule_type   VARCHAR NOT NULL
);
CREATE VIEW main.profile_merge_refusals AS
    SELECT r.run_id, r.refused_at, f.feed,
           CASE WHEN f.row_id IS NOT NULL
                THEN CAST(json_object('origin', f.origin, 'row_pos', f.row_pos, 'source_request_id', f.request_id) AS JSON) END AS "row",
           d.identity_type, d.identity_value,
           coalesce(a.mpid, r.mpid) AS mpid,
           coalesce(o.mpid, r.other_mpid) AS other_mpid,
           r."rows",
           r.rule, r.rule_type
    FROM _mosaic.merge_refusals r
    LEFT JOIN _mosaic.feed_rows f ON f.row_id = r.row_id
    LEFT JOIN _mosaic.identity_dict d ON d.id = r.identity_id
    LEFT JOIN _mosaic.aliases a ON a.alias_mpid = r.mpid
    LEFT JOIN _mosaic.aliases o ON o.alias_mpid = r.other_mpid;
