-- What a dropped row names as an identity, one definition for forget
-- (dropped.sql) and for its block (redact_blocked.sql): forgetSpelled(r,
-- fields), the values of dropped row r, each trimmed as staging matches
-- it (normIdent; an e-mail's letter case is the caller's to fold). A value
-- counts where a field named in fields holds it, as a JSON string or
-- number, in the row or in the raw line it keeps ("text", a line a reader
-- rejected): the value a drop reason names (identity_value), a batch's
-- user_identities and device_info keys, a column a feed maps to an
-- identity (forget.IdentityFields). With fields NULL (the pipeline is not
-- known) any field counts but the engine's own: a place, a position, a
-- line, a count, an MPID, a message. A raw line that is not JSON (a CSV
-- line) names each of its fields, as its columns cannot be told apart. A
-- number anywhere else (an attribute, a price) names no one.
-- name: text
-- A JSON string's text (s its quoted, escaped form), or s itself (a
-- number); an escape JSON does not know is left as it is.
CREATE OR REPLACE TEMP MACRO forgetText(s) AS
    CASE WHEN starts_with(s, '"') THEN coalesce(json_extract_string(TRY_CAST(s AS JSON), '$'), substr(s, 2, length(s) - 2)) ELSE s END;
-- name: pairs
-- The "key": value pairs of JSON text txt (whole or broken) whose value is
-- a string or a whole number, as {k, v}: quoted and escaped, as written.
CREATE OR REPLACE TEMP MACRO forgetPairs(txt) AS
    list_transform(
        regexp_extract_all(txt, '"(?:[^"\\]|\\.)*"\s*:\s*(?:"(?:[^"\\]|\\.)*"|-?[0-9]+(?:\s*[,}\]]|\s*$))'),
        lambda p: regexp_extract(p, '^("(?:[^"\\]|\\.)*")\s*:\s*("(?:[^"\\]|\\.)*"|-?[0-9]+)', ['k', 'v']));
-- name: line
-- The raw line dropped row r keeps: its "text" beside the line it was
-- read at (a row a feed's columns made has a position instead).
CREATE OR REPLACE TEMP MACRO forgetLine(r) AS
    CASE WHEN json_exists(r, '$.line') AND NOT json_exists(r, '$._row_pos') THEN json_extract_string(r, '$.text') END;
-- name: spelled
CREATE OR REPLACE TEMP MACRO forgetSpelled(r, fields) AS list_filter(list_distinct(list_concat(
    list_transform(
        list_filter(
            list_concat(forgetPairs(CAST(r AS VARCHAR)), coalesce(forgetPairs(forgetLine(r)), [])),
            lambda p: CASE WHEN fields IS NULL
                THEN forgetText(p.k) NOT IN ('origin', '_origin', 'file', 'line', 'row_pos', '_row_pos', 'records',
                                             'max_shared', 'rows', 'bytes', 'mpid', 'text', 'error')
                ELSE list_contains(fields, forgetText(p.k)) END),
        lambda p: normIdent(forgetText(p.v), false)),
    CASE WHEN NOT regexp_matches(coalesce(forgetLine(r), '{'), '^\s*[\[{]')
            THEN list_transform(regexp_split_to_array(forgetLine(r), '[,;|\t\r\n]'),
                                lambda x: normIdent(trim(x, ' "'), false))
            ELSE [] END)),
    lambda v: v IS NOT NULL);
