-- What a dropped row names, one definition for forget (dropped.sql) and
-- for its block (redact_blocked.sql): as an identity (forgetSpelled), as
-- a text it holds whole (forgetQuoted; both: forgetNamed) and by MPID
-- (forgetMPIDs), each below; forgetTokens, cheaper to find, holds them.
-- forgetSpelled(r, fields): the values of dropped row r, each trimmed as
-- staging matches it (normIdent; an e-mail's letter case is the caller's
-- to fold). A value counts where a field named in fields holds it, as a
-- JSON string or number, in the row or in the raw line it keeps ("text",
-- a line a reader rejected): the value a drop reason names
-- (identity_value), a batch's user_identities and device_info keys, a
-- column a feed maps to an identity (forget.IdentityFields). With fields
-- NULL (the pipeline is not known) any field counts but the engine's own:
-- a place, a position, a line, a count, an MPID, a message. A raw line
-- that is not JSON (a CSV line) names each of its fields, as its columns
-- cannot be told apart. A number anywhere else (an attribute, a price)
-- names no one.
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
-- name: fields
-- The fields of raw line line that is not JSON (a CSV line), each without
-- the blanks and quotes around it.
CREATE OR REPLACE TEMP MACRO forgetFields(line) AS
    list_transform(regexp_split_to_array(line, '[,;|\t\r\n]'), lambda x: trim(x, ' "'));
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
            THEN list_transform(forgetFields(forgetLine(r)), lambda x: normIdent(x, false))
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
             WHEN NOT starts_with(ltrim(line), '{') THEN list_transform(forgetFields(line), lambda x: forgetInt(x))
             ELSE forgetLineMPIDs(line, coalesce(fields, ['mpid'])) END)[1]),
    lambda m: m IS NOT NULL);
-- name: unescape
-- The text of s, a JSON string's content (escaped, without its quotes);
-- s itself where it has no escape, or one JSON does not know.
CREATE OR REPLACE TEMP MACRO forgetUnescape(s) AS
    CASE WHEN contains(s, '\') THEN coalesce(json_extract_string(TRY_CAST('"' || s || '"' AS JSON), '$'), s) ELSE s END;
-- name: trim
-- v without the blanks around it, as normIdent trims it (but '' stays).
CREATE OR REPLACE TEMP MACRO forgetTrim(v) AS
    trim(v, ' ' || chr(9) || chr(10) || chr(12) || chr(13) || chr(160) || chr(65279));
-- name: strings
-- The texts dropped row r holds whole: each JSON string of the row (a key
-- or a value), and inside one, each text that follows a double quote, up
-- to the next one or the end of the string (a raw line's keys and values,
-- whole or broken; a CSV line's quoted fields; a value an error message
-- quotes), read as a JSON string's content (one with an escape once more
-- too: a raw line's).
CREATE OR REPLACE TEMP MACRO forgetStrings(r) AS list_transform([CAST(r AS VARCHAR)], lambda t: list_concat(
    list_transform(regexp_extract_all(t, '"((?:[^"\\]|\\.)*)"', 1), lambda s: forgetUnescape(s)),
    list_transform([list_transform(list_transform(string_split(t, '\"')[2:], lambda p: split_part(p, '"', 1)), lambda q: forgetUnescape(q))],
        lambda q: list_concat(q, list_transform(list_filter(q, lambda x: contains(x, '\')), lambda x: forgetUnescape(x))))[1]))[1];
-- name: quoted
-- The values dropped row r names wherever it holds them (forget's text
-- rule): the texts it holds whole (forgetStrings) that are not whole
-- numbers. A whole number names someone only where a row holds an
-- identity (forgetSpelled) or an MPID (forgetMPIDs).
CREATE OR REPLACE TEMP MACRO forgetQuoted(r) AS
    list_filter(forgetStrings(r), lambda v: v <> '' AND NOT regexp_full_match(v, '-?[0-9]+'));
-- name: named
-- The values dropped row r names, as an identity ($2 the fields that hold
-- one) or as a text: forget takes a row that names a forgotten value (an
-- e-mail in any letter case), a later run redacts one that names a
-- blocked one.
CREATE OR REPLACE TEMP MACRO forgetNamed(r, fields) AS list_distinct(list_concat(forgetSpelled(r, fields), forgetQuoted(r)));
-- name: tokens
-- What dropped row r names (forgetNamed, and forgetMPIDs as digits) with
-- fields among keep is among these, or these trimmed (forgetTrim), which
-- are cheaper to find: the texts it holds whole (forgetStrings); each
-- number under a key, in the row or its raw line, as written, but the
-- row's own line and position ("line", "row_pos", "_row_pos": no rule
-- reads them unless keep names them); the fields of a raw line that is
-- not JSON.
CREATE OR REPLACE TEMP MACRO forgetTokens(r, keep) AS list_concat(
    forgetStrings(r),
    list_transform(
        list_filter(regexp_extract_all(CAST(r AS VARCHAR), '(?:"(?:line|_row_pos|row_pos)|\\?)"(?:\s|\\[tnrf])*:(?:\s|\\[tnrf])*-?[0-9]+'),
                    lambda m: starts_with(m, '":') OR starts_with(m, '\') OR list_contains(keep, split_part(m, '"', 2))),
        lambda m: regexp_extract(m, '-?[0-9]+$')),
    list_transform([forgetLine(r)], lambda line: CASE WHEN NOT starts_with(ltrim(line), '{')
        THEN forgetFields(line) ELSE [] END)[1]);
