package pipeline

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
)

// TestDropCountsAddUp: each feed's rows read are its rows kept plus its
// rows dropped, whichever stage dropped them (staging, or identity
// resolution for an only_update row that matches no profile); the run's
// rows_dropped sums the feeds'. dropped_by_reason counts the records of
// dropped_rows, which also hold what a rule kept out of a kept row (a
// blocklisted e-mail, an identity over its limit or in conflict with a
// unique one): dropped_records sums them. unique_conflict is both.
func TestDropCountsAddUp(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "crm.csv", `id,id2,email,ts
C1,,a@x.com,2026-05-01T00:00:00Z
C2,,test@x.com,2026-05-01T01:00:00Z
C3,,c@x.com,nope
C1,,a2@x.com,2026-05-01T02:00:00Z
C4,C4b,d@x.com,2026-05-01T03:00:00Z
`)
	// A refused identity value (a list, a fraction) is a record of a kept
	// row; a row with no other identity is dropped, once, for its first
	// refused value's reason.
	writeFile(t, dir, "typed.ndjson", `{"id":777.0,"ts":"2026-05-01T04:00:00Z"}
{"id":"C7","email":["e@x.com"],"ts":"2026-05-01T05:00:00Z"}
{"id":0.5,"email":{"work":"f@x.com"},"ts":"2026-05-01T06:00:00Z"}
`)
	writeFile(t, dir, "upd.csv", `id,email,ts
C9,z@x.com,2026-05-02T00:00:00Z
C1,,2026-05-02T00:00:00Z
C8,a@x.com,2026-05-02T01:00:00Z
`)
	p := loadPipeline(t, dir, `version: 1
name: drops
state: ./store.duckdb
identity:
  unique: [customerid]
  limits: { email: 1 }
  blocklist: { email: ["^test@"] }
feeds:
  - name: crm
    source: { kind: files, path: crm.csv }
    source_type: warehouse
    timestamp: ts
    identities: { id: customerid, id2: customerid, email: email }
  - name: upd
    source: { kind: files, path: upd.csv }
    source_type: warehouse
    protection: only_update
    timestamp: ts
    identities: { id: customerid, email: email }
  - name: typed
    source: { kind: files, path: typed.ndjson }
    source_type: warehouse
    timestamp: ts
    identities: { id: customerid, email: email }
  - name: mp
    source: { kind: files, path: mp.csv }
    source_type: warehouse
    timestamp: ts
    mpid: mpid
    identities: { id: customerid }
`)
	type counts struct {
		Read, Kept, Dropped int64
		ByReason            map[string]int64
	}
	check := func(res *Result, want map[string]counts, dropped, records int64) {
		t.Helper()
		got := map[string]counts{}
		for feed, f := range res.Stats.Feeds {
			if f.Read != f.Kept+f.Dropped+f.Seen+f.AlreadyIngested {
				t.Errorf("feed %s: read %d rows, kept %d and dropped %d", feed, f.Read, f.Kept, f.Dropped)
			}
			got[feed] = counts{f.Read, f.Kept, f.Dropped, f.DroppedByReason}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("feeds (-want +got):\n%s", diff)
		}
		if res.Stats.Dropped != dropped || res.Stats.DroppedRecords != records {
			t.Errorf("run: rows_dropped %d, dropped_records %d; want %d and %d", res.Stats.Dropped, res.Stats.DroppedRecords, dropped, records)
		}
		if n := query(t, p, "SELECT count(*) FROM dropped_rows WHERE run_id = "+strconv.FormatInt(res.Run.ID, 10)); n[0] != strconv.FormatInt(records, 10) {
			t.Errorf("dropped_rows holds %s records of run %d, want %d", n[0], res.Run.ID, records)
		}
	}

	res := run(t, p, Options{})
	check(res, map[string]counts{
		// C3's time is invalid; test@ is blocklisted, a2@ over the limit
		// of one e-mail and C4b a second customerid, their rows kept.
		"crm": {5, 4, 1, map[string]int64{"invalid_timestamp": 1, "blocklisted": 1, "identity_limit": 1, "unique_conflict": 1}},
		// C9 matches no profile; C8 matches C1's through a@, which holds
		// another customerid: the only_update rows are dropped.
		"upd": {3, 1, 2, map[string]int64{"no_matching_profile": 1, "unique_conflict": 1}},
		// 777.0 is customerid 777; C7's e-mail is a list, refused; the
		// third row's customerid is a fraction and its e-mail an
		// object: none is left, and the row is dropped.
		"typed": {3, 2, 1, map[string]int64{"identity_not_scalar": 2}},
		"mp":    {},
	}, 4, 8)

	// A row whose mpid names C1's profile is kept; one whose mpid names
	// no profile, with no identity, is dropped.
	mpid := query(t, p, "SELECT mpid FROM profile_identities WHERE identity_value = 'C1'")[0]
	writeFile(t, dir, "mp.csv", "mpid,id,ts\n"+mpid+",C1,2026-05-03T00:00:00Z\n12345,,2026-05-03T00:00:00Z\n")
	res = run(t, p, Options{})
	check(res, map[string]counts{
		"crm":   {},
		"upd":   {},
		"typed": {},
		"mp":    {2, 1, 1, map[string]int64{"unknown_mpid": 1}},
	}, 1, 1)
}

// TestQuickstartDropCounts: README says what the quickstart drops: three
// rows, and four problems recorded, the fourth the blocklisted e-mail of
// a CRM row that is kept.
func TestQuickstartDropCounts(t *testing.T) {
	p, err := Load("../../pipelines/quickstart.yaml", builtin.Registry())
	if err != nil {
		t.Fatal(err)
	}
	p.State = filepath.Join(t.TempDir(), "store.duckdb")
	res := run(t, p, Options{NoSync: true})
	crm := res.Stats.Feeds["crm"]
	if res.Stats.Dropped != 3 || res.Stats.DroppedRecords != 4 || crm.Dropped != 1 || crm.DroppedByReason["blocklisted"] != 1 {
		t.Errorf("the quickstart dropped %d rows and recorded %d problems; crm: %+v", res.Stats.Dropped, res.Stats.DroppedRecords, crm)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if text := strings.Join(strings.Fields(string(readme)), " "); !strings.Contains(text, "the run's summary counts 3 rows dropped and 4 problems recorded") {
		t.Error("README does not say the quickstart's run counts 3 rows dropped and 4 problems recorded")
	}
}
