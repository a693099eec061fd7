package files

import (
	"context"
	"slices"
	"strings"

	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// ndjson checks an NDJSON file with Read's readers: one scan counts its
// object lines (the rows Read stages) and looks for the mapped keys on
// them; the rows reader is described (no scan). The lines are streamed
// from a subquery, never kept: a check must not hold a big file in memory.
func (ck *checker) ndjson(ctx context.Context, f file) (int64, error) {
	ck.ndjsonFiles = append(ck.ndjsonFiles, f.origin)
	d, err := f.lines()
	if err != nil {
		return 0, err
	}
	n, err := ck.keys(ctx, d)
	if err != nil {
		return 0, err
	}
	ck.ndjsonLines += n
	if d, err = f.lines(); err != nil {
		return 0, err
	}
	d.Prefix = "ndjson_"
	d.Columns = ck.wanted // a key missing from a line reads as NULL
	if err := ck.describeReader(ctx, d, "files/ndjson_rows.sql.tmpl", func(string) string { return "" }); err != nil {
		return 0, err
	}
	return n, nil
}

// batch checks a file of mParticle batches: how many of its lines are JSON
// objects (the batches the decoder will take or drop with a reason).
func (ck *checker) batch(ctx context.Context, f file) (int64, error) {
	d, err := f.lines()
	if err != nil {
		return 0, err
	}
	q, err := sqlfiles.Render("files/object_lines.sql.tmpl", d)
	if err != nil {
		return 0, err
	}
	var n int64
	err = ck.conn.QueryRowContext(ctx, q).Scan(&n)
	return n, err
}

// lines returns the file's template data with Lines set to its lines
// reader as a subquery (with rejects tables of its own).
func (f file) lines() (sqlData, error) {
	d := f.data()
	read, err := sqlfiles.Render("files/read_lines.sql.tmpl", d)
	if err != nil {
		return d, err
	}
	d.Lines = "(" + read + ")"
	return d, nil
}

// keys scans the lines once: it returns how many are JSON objects, and
// adds up on how many each mapped key is present, noting its JSON types.
func (ck *checker) keys(ctx context.Context, d sqlData) (int64, error) {
	d.Columns = ck.wanted
	q, err := sqlfiles.Render("files/ndjson_keys.sql.tmpl", d)
	if err != nil {
		return 0, err
	}
	var lines int64
	present := make([]int64, len(ck.wanted))
	types := make([]string, len(ck.wanted))
	dest := []any{&lines}
	for i := range ck.wanted {
		dest = append(dest, &present[i], &types[i])
	}
	if err := ck.conn.QueryRowContext(ctx, q).Scan(dest...); err != nil {
		return 0, err
	}
	for i, name := range ck.wanted {
		ck.keyLines[name] += present[i]
		for _, t := range strings.Split(types[i], "|") {
			if t != "" && !slices.Contains(ck.keyTypes[name], t) {
				ck.keyTypes[name] = append(ck.keyTypes[name], t)
			}
		}
	}
	return lines, nil
}

// timeJSONTypes are the JSON types a timestamp or cursor key can hold:
// ISO 8601 text or epoch integers.
var timeJSONTypes = []string{"VARCHAR", "BIGINT", "UBIGINT"}

// finish turns what the NDJSON files showed into columns and problems: a
// key on no line of the files is not mapped right, and a time key must
// hold text or integers.
func (ck *checker) finish() {
	if len(ck.ndjsonFiles) == 0 {
		return
	}
	files := strings.Join(ck.ndjsonFiles, ", ")
	for _, name := range ck.wanted {
		c, ok := ck.cols[name]
		if !ok {
			continue
		}
		types := ck.keyTypes[name]
		slices.Sort(types)
		if ck.keyLines[name] == 0 {
			delete(ck.cols, name)
			if ck.ndjsonLines > 0 {
				ck.problemf("no JSON object in %s has the key %q; fix the feed's mapping or the files", files, name)
			}
			continue
		}
		c.SourceType = "json"
		if len(types) > 0 {
			c.SourceType = "json " + strings.Join(types, "|")
		}
		if name != ck.timestamp && name != ck.cursor {
			continue
		}
		var bad []string
		for _, t := range types {
			if !slices.Contains(timeJSONTypes, t) {
				bad = append(bad, t)
			}
		}
		if len(bad) > 0 {
			role := "timestamp"
			if name != ck.timestamp {
				role = "cursor"
			}
			ck.problemf("the %s key %q holds JSON %s values in %s; it must hold times: ISO 8601 text or epoch integers", role, name, strings.Join(bad, "|"), files)
		}
	}
}
