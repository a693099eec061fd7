package bigquery

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/internal/config"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// TestOutputRows: the staging rows carry op, key and the fields typed for
// their columns; JSON values as JSON text, nulls and missing fields left
// out, a key met twice once (its last record, whose fate the earlier one
// shares), and a value that does not fit its column rejected alone.
func TestOutputRows(t *testing.T) {
	o := config.Output{Name: "crm", Send: config.SendProfiles, Fields: map[string]string{
		"email": "identity.email", "id": "mpid", "tier": "attribute.tier", "gold": "audience.gold", "seen": "profile.last_seen_at",
	}}
	w := &bqWriter{name: "crm", where: "p.d.t", cols: outColumns(o, []string{"email", "id", "tier", "gold", "seen"})}
	recs := []connectors.Record{
		{Op: connectors.OpUpsert, Key: "a", Fields: json.RawMessage(`{"email":"a","id":1,"tier":{"x": [1, 2]},"gold":true,"seen":"2026-06-01T00:00:00.000Z"}`)},
		{Op: connectors.OpUpsert, Key: "b", Fields: json.RawMessage(`{"email":"b","id":"two"}`)},
		{Op: connectors.OpUpsert, Key: "c", Fields: json.RawMessage(`{"email":"c","tier":null}`)},
		{Op: connectors.OpRemove, Key: "c", Fields: json.RawMessage(`{}`)},
		{Op: connectors.OpUpsert, Key: "d", Fields: json.RawMessage(`{"tier":"gold","gold":"yes"}`)},
		{Op: connectors.OpUpsert, Key: "e", Fields: json.RawMessage(`{"id":9223372036854775807,"tier":7,"seen":"yesterday"}`)},
		{Op: connectors.OpUpsert, Key: "d", Fields: json.RawMessage(`{"gold":"no"}`)},
	}
	errs := make([]error, len(recs))
	body, n := w.rows(recs, errs)
	want := `{"email":"a","gold":true,"id":1,"key":"a","op":"upsert","seen":"2026-06-01T00:00:00.000Z","tier":"{\"x\":[1,2]}"}
{"key":"c","op":"remove"}
`
	if n != 2 || string(body) != want {
		t.Errorf("rows (%d):\n%s\nwant:\n%s", n, body, want)
	}
	for i, wantErr := range []string{"", "field id: \"two\" does not fit an INT64 column", "", "", "field gold: \"no\" does not fit a BOOL column", "field seen: \"yesterday\" is not an RFC 3339 time", "field gold: \"no\" does not fit a BOOL column"} {
		switch {
		case wantErr == "" && errs[i] != nil:
			t.Errorf("record %d: %v", i, errs[i])
		case wantErr != "" && (errs[i] == nil || !strings.Contains(errs[i].Error(), wantErr) || !strings.Contains(errs[i].Error(), "bigquery p.d.t: record")):
			t.Errorf("record %d: err = %v, want a RecordError saying %q", i, errs[i], wantErr)
		case wantErr != "":
			if _, ok := errs[i].(*connectors.RecordError); !ok {
				t.Errorf("record %d: %T, want a *connectors.RecordError", i, errs[i])
			}
		}
	}
}

// TestOutputMerge: under nulls: skip a missing field keeps the table's
// value; under nulls: send it overwrites; JSON text is parsed.
func TestOutputMerge(t *testing.T) {
	o := config.Output{Send: config.SendAudience}
	cols := outColumns(o, []string{"audience", "mpid", "identities"})
	for _, skip := range []bool{true, false} {
		sql, err := sqlfiles.Render("bigquery/out_merge.sql.tmpl", map[string]any{"Table": "`p`.`d`.`t`", "Stage": "`p`.`d`.`s`", "Columns": cols, "Skip": skip})
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{
			"MERGE `p`.`d`.`t` AS t\nUSING `p`.`d`.`s` AS s\nON t.`key` = s.`key`",
			"WHEN MATCHED AND s.`op` = 'remove' THEN\n  DELETE",
			"INSERT (`key`, `audience`, `mpid`, `identities`)\n  VALUES (s.`key`, s.`audience`, s.`mpid`, PARSE_JSON(s.`identities`, wide_number_mode => 'round'))",
		} {
			if !strings.Contains(sql, want) {
				t.Errorf("skip=%v: merge lacks %q:\n%s", skip, want, sql)
			}
		}
		want := "`identities` = PARSE_JSON(s.`identities`, wide_number_mode => 'round')"
		if skip {
			want = "`identities` = COALESCE(PARSE_JSON(s.`identities`, wide_number_mode => 'round'), t.`identities`)"
		}
		if !strings.Contains(sql, want) {
			t.Errorf("skip=%v: merge lacks %q:\n%s", skip, want, sql)
		}
	}
}
