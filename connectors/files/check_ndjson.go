package files

import (
	"context"
	"slices"
	"strings"

	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// ndjson checks an NDJSON file: its lines go to a temp table as Read's
// reader has them, the mapped keys are looked for on its object lines, and
// the rows reader is described and counted over them.
func (ck *checker) ndjson(ctx context.Context, f file) (int64, error) {
	d := f.data()
	d.Prefix = "ndjson_"
	lines, drop, err := ck.lines(ctx, d)
	if err != nil {
		return 0, err
	}
	defer drop()
	d.Lines = lines
	ck.ndjsonFiles = append(ck.ndjsonFiles, f.origin)
	if len(ck.wanted) > 0 {
		if err := ck.keys(ctx, d); err != nil {
			return 0, err
		}
	}
	d.Columns = ck.wanted // a key missing from a line reads as NULL
	n, err := ck.reader(ctx, d, "files/ndjson_rows.sql.tmpl", func(string) string { return "" })
	ck.ndjsonLines += n
	return n, err
}

// batch checks a file of mParticle batches: how many of its lines are JSON
// objects (the batches the decoder will take or drop with a reason).
func (ck *checker) batch(ctx context.Context, f file) (int64, error) {
	d := f.data()
	lines, drop, err := ck.lines(ctx, d)
	if err != nil {
		return 0, err
	}
	defer drop()
	d.Lines = lines
	q, err := sqlfiles.Render("files/batch_count.sql.tmpl", d)
	if err != nil {
		return 0, err
	}
	var n int64
	err = ck.conn.QueryRowContext(ctx, q).Scan(&n)
	return n, err
}

// lines reads a file's lines into a temp table and returns its quoted name
// and a func that drops it.
func (ck *checker) lines(ctx context.Context, d sqlData) (string, func(), error) {
	read, err := sqlfiles.Render("files/read_lines.sql.tmpl", d)
	if err != nil {
		return "", nil, err
	}
	name := "_lines_" + strings.TrimPrefix(d.RejectsTable, "_rejects_")
	q, err := sqlfiles.Render("files/temp.sql.tmpl", map[string]string{"Name": name, "Query": read})
	if err != nil {
		return "", nil, err
	}
	if _, err := ck.conn.ExecContext(ctx, q); err != nil {
		return "", nil, err
	}
	drop := func() {
		if q, err := sqlfiles.Render("files/drop_temp.sql.tmpl", sqlfiles.Ident(name)); err == nil {
			ck.conn.ExecContext(context.WithoutCancel(ctx), q)
		}
	}
	return sqlfiles.Ident(name), drop, nil
}

// keys counts the lines holding each mapped key and notes their JSON types.
func (ck *checker) keys(ctx context.Context, d sqlData) error {
	d.Columns = ck.wanted
	q, err := sqlfiles.Render("files/ndjson_keys.sql.tmpl", d)
	if err != nil {
		return err
	}
	rows, err := ck.conn.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() { // one row per mapped key
		var name, types string
		var present int64
		if err := rows.Scan(&name, &present, &types); err != nil {
			return err
		}
		ck.keyLines[name] += present
		for _, t := range strings.Split(types, "|") {
			if t != "" && !slices.Contains(ck.keyTypes[name], t) {
				ck.keyTypes[name] = append(ck.keyTypes[name], t)
			}
		}
	}
	return rows.Err()
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
