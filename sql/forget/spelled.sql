-- What a dropped row names, as an identity or by MPID (forgetMPIDs,
-- below), one definition for forget (dropped.sql) and for its block
-- (redact_blocked.sql): forgetSpelled(r, fields), the values of dropped
-- row r, each trimmed as staging matches it (normIdent; an e-mail's
-- letter case is the caller's to fold). A value
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
-- name: int
-- The integer s spells as staging reads a batch's mpid (a JSON number's
-- text, or a string of digits), else NULL: not a fraction, which a cast
-- would round.
CREATE OR REPLACE TEMP MACRO forgetInt(s) AS
    CASE WHEN regexp_full_match(s, '-?[0-9]+') THEN TRY_CAST(s AS BIGINT) END;
-- name: pointer
-- The JSON pointer of top-level key f.
CREATE OR REPLACE TEMP MACRO forgetPointer(f) AS '/' || replace(replace(f, '~', '~0'), '/', '~1');
-- name: top
-- The MPIDs of JSON text (whole or broken) read as its tokens toks (see
-- forgetLineMPIDs): the value of each key of keys (quoted, as
-- to_json writes them) one object deep, its depth the brackets opened
-- before it less those closed (a number's token may end with one). toks
-- must be a column or a lambda's parameter: a macro's argument is
-- computed again wherever the macro names it.
CREATE OR REPLACE TEMP MACRO forgetTopOf(toks, keys) AS list_transform(
    list_filter(list_transform(toks, lambda t, i: CASE WHEN list_contains(keys, regexp_extract(t, '^("(?:[^"\\]|\\.)*")\s*:', 1)) THEN i END),
                lambda i: i IS NOT NULL),
    lambda i: CASE WHEN coalesce(list_sum(list_transform(toks[1:i - 1],
                            lambda t: CASE WHEN t IN ('{', '[') THEN 1 WHEN right(t, 1) IN ('}', ']') THEN -1 ELSE 0 END)), 0) = 1
                   THEN forgetInt(forgetText(regexp_extract(toks[i], ':\s*("(?:[^"\\]|\\.)*"|-?[0-9]+)', 1))) END);
-- name: line_mpids
-- The top-level MPIDs of raw line line when it is a JSON object, under
-- the keys of fields (the key "mpid" and the columns feeds map to an MPID,
-- forget.MPIDFields): whole, what it holds under them; broken (a line
-- that does not parse, or cut at 2 KiB), read as strings (a key with its
-- string or whole-number value, as forgetPairs) and brackets, so that a
-- string's brackets are its text.
CREATE OR REPLACE TEMP MACRO forgetLineMPIDs(line, fields) AS
    CASE WHEN NOT starts_with(ltrim(line), '{') THEN []
         WHEN json_valid(line) THEN list_transform(fields, lambda f: forgetInt(json_extract_string(line, forgetPointer(f))))
         WHEN list_bool_or(list_transform(fields, lambda f: contains(line, CAST(to_json(f) AS VARCHAR)))) THEN list_transform([regexp_extract_all(line,
             '"(?:[^"\\]|\\.)*"(?:\s*:\s*(?:"(?:[^"\\]|\\.)*"|-?[0-9]+(?:\s*[,}\]]|\s*$)))?|[{}\[\]]')],
             lambda toks: forgetTopOf(toks, list_transform(fields, lambda f: CAST(to_json(f) AS VARCHAR))))[1]
         ELSE [] END;
-- name: mpids
-- The MPIDs dropped row r names: a number or string of digits under a
-- top-level key of fields (the key "mpid" and the columns feeds map to an
-- MPID, forget.MPIDFields; NULL: "mpid" alone), as the identity stage
-- records a row it drops with no identity, the top-level "mpid" of the raw
-- batch it keeps whole ("batch"), and what the raw line it keeps ("text")
-- holds under a top-level key of fields, whether the line parses or not
-- (a batch's "mpid", an NDJSON feed's MPID column). A raw line that is not
-- JSON (a CSV line a reader rejected) names each whole number among its
-- fields, as its columns cannot be told apart (an MPID is a random 64-bit
-- number). The same number under another key (a position, a price, an
-- attribute, a nested "mpid") names no one.
CREATE OR REPLACE TEMP MACRO forgetMPIDs(r, fields) AS list_filter(list_concat(
    list_transform(json_extract_string(r, list_transform(coalesce(fields, ['mpid']), lambda f: forgetPointer(f))),
                   lambda v: forgetInt(v)),
    [forgetInt(json_extract_string(r, '$.batch.mpid'))],
    list_transform([forgetLine(r)], lambda line:
        CASE WHEN line IS NULL THEN []
             WHEN NOT starts_with(ltrim(line), '{') THEN list_transform(regexp_split_to_array(line, '[,;|\t\r\n]'), lambda x: forgetInt(trim(x, ' "')))
             ELSE forgetLineMPIDs(line, coalesce(fields, ['mpid'])) END)[1]),
    lambda m: m IS NOT NULL);
