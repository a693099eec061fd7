package pipeline

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/internal/config"
)

// identityColumns reports the identity columns of the feed at index i
// whose type gives values that may not be identities, as the source's
// check found them (cols): a list or struct (a run refuses every value)
// is a problem; a floating-point column (a run keeps the whole numbers it
// holds exactly, as digits, and refuses the rest) is a note, which leaves
// the feed ready: pandas writes an integer column with gaps as float64,
// every value whole. For NDJSON, a key holding such JSON values. Each is
// at the mapping's place in the pipeline file and says how to fix it. A
// DECIMAL is exact and not reported: a whole value is its digits, a
// fraction is refused.
func identityColumns(p *config.Pipeline, i int, cols []connectors.CheckColumn) (problems, notes []string) {
	f := &p.Feeds[i]
	names := make([]string, 0, len(f.Identities))
	for name := range f.Identities {
		names = append(names, name)
	}
	path := func(name string) string { return fmt.Sprintf("feeds[%d].identities.%s", i, name) }
	slices.SortFunc(names, func(a, b string) int {
		pa, pb := p.Pos(path(a)), p.Pos(path(b))
		return cmp.Or(cmp.Compare(pa.Line, pb.Line), cmp.Compare(pa.Col, pb.Col), strings.Compare(a, b))
	})
	for _, name := range names {
		j := slices.IndexFunc(cols, func(c connectors.CheckColumn) bool { return c.Name == name })
		if j < 0 {
			continue // missing: the source reported it
		}
		c := cols[j]
		float, nested := identityColumnKind(c)
		if float == "" && nested == "" {
			continue
		}
		head := fmt.Sprintf("%s: feed %s: identity column %q (%s) ", p.Pos(path(name)), f.Name, name, f.Identities[name])
		json := c.Staged == "JSON"
		if float != "" {
			exact := "2^53"
			if slices.Contains([]string{"FLOAT", "float16", "float32"}, c.Staged) {
				exact = "2^24"
			}
			notes = append(notes, head+float+": a run keeps a whole number below "+exact+" as its digits (777.0 is 777) and refuses any other value as identity_not_integer "+
				"(a fraction, or a number whose last digits a float lost); to be sure of every value, "+fixFloat(f.Source.Kind, name, json))
		}
		if nested != "" {
			problems = append(problems, head+nested+": a run refuses each such value as identity_not_scalar (a list or a struct is not one identity); "+fixNested(f.Source.Kind, json))
		}
	}
	return problems, notes
}

// identityColumnKind says, when a column as a check found it holds
// floating-point values, or nested ones (a list, struct, map or union),
// what it is ("is DOUBLE"); "" when it does not. Files name DuckDB types,
// PostgreSQL and BigQuery Arrow types; an NDJSON key (staged as JSON)
// lists the JSON types of its values.
func identityColumnKind(c connectors.CheckColumn) (float, nested string) {
	if types, ok := strings.CutPrefix(c.SourceType, "json "); ok && c.Staged == "JSON" {
		var objects []string
		for _, t := range strings.Split(types, "|") {
			switch t {
			case "DOUBLE":
				float = "holds JSON numbers that are not plain 64-bit integers (777.0, 1e3, or one past 64 bits)"
			case "ARRAY":
				objects = append(objects, "arrays")
			case "OBJECT":
				objects = append(objects, "objects")
			}
		}
		if len(objects) > 0 {
			nested = "holds JSON " + strings.Join(objects, " and ")
		}
		return float, nested
	}
	t := c.Staged
	what := "is " + t
	if c.SourceType != "" && c.SourceType != t {
		what = fmt.Sprintf("is %s (staged as %s)", c.SourceType, t)
	}
	if slices.Contains([]string{"FLOAT", "DOUBLE", "float16", "float32", "float64"}, t) {
		return what, ""
	}
	for _, pre := range []string{"STRUCT(", "MAP(", "UNION(", "list<", "large_list<", "fixed_size_list<", "list_view<", "struct<", "map<", "dense_union<", "sparse_union<"} {
		if strings.HasPrefix(t, pre) {
			return "", what
		}
	}
	if strings.HasSuffix(t, "]") { // DuckDB's T[] and T[N]
		return "", what
	}
	return "", ""
}

// fixFloat says how to fix a floating-point identity column col of a
// source of kind (json: an NDJSON key).
func fixFloat(kind, col string, json bool) string {
	switch {
	case kind == "postgres":
		return fmt.Sprintf("cast it in a `query:` (CAST(%s AS bigint), or AS text), or map a text column", col)
	case kind == "bigquery":
		return fmt.Sprintf("cast it in a `query:` (CAST(%s AS INT64), or AS STRING), or map a STRING column", col)
	case json:
		return "write it as a JSON string or integer, or map another key"
	}
	return "write it as an integer or text column, or map a text column"
}

// fixNested says how to fix a list or struct identity column.
func fixNested(kind string, json bool) string {
	switch {
	case kind == "postgres", kind == "bigquery":
		return "pick one value out of it in a `query:`, or map a text column"
	case json:
		return "write it as a JSON string, or map another key"
	}
	return "write it as a text column, or map a text column"
}
