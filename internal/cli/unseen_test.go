package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// unseenPipeline's audiences and calculated attribute use names, some of
// them misspelt, against the batches of unseenBatches.
const unseenPipeline = `version: 1
name: unseen
state: ./store.duckdb
feeds:
  - name: app
    source: { kind: files, path: in/*.ndjson, format: batch }
    source_type: sdk
calculated_attributes:
  - { name: opens, calculation: count, event: app_opne }
audiences:
  - name: buyers
    criteria:
      all:
        - event: { name: Purchase }
        - not: { attribute: { key: tire, op: eq, value: gold } }
        - attribute: { key: tier, op: exists }
  - name: idfa
    criteria: { any: [{ identity: { type: ios_idfa } }, { event: { name: app_open } }, { event: { name: refund } }] }
  - name: known
    criteria: { identity: { type: customer_id } }
`

const unseenBatches = `{"environment": "production", "user_identities": {"customer_id": "ann"}, "user_attributes": {"tier": "gold"}, "timestamp_unixtime_ms": 1780214400000, "events": [{"event_type": "custom_event", "data": {"event_name": "purchase", "custom_event_type": "transaction", "timestamp_unixtime_ms": 1780214400000, "source_message_id": "a1"}}, {"event_type": "custom_event", "data": {"event_name": "app_open", "custom_event_type": "navigation", "timestamp_unixtime_ms": 1780214400000, "source_message_id": "a2"}}]}
`

// TestRunWarnsOfUnseenNames: a name an audience or a calculated attribute
// uses that no stored data has (a misspelt event name, attribute key, an
// identity type no profile holds) is valid and matches nothing. The run
// warns of each use, at its place in the pipeline file, with the stored
// names close to it; names the store has (customer_id is customerid),
// and names once they arrive, are not warned of. mosaic check shows the
// same from the store.
func TestRunWarnsOfUnseenNames(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "p.yaml")
	writeFile(t, p, unseenPipeline)
	writeFile(t, filepath.Join(dir, "in/1.ndjson"), unseenBatches)
	code, out, errOut := mosaic(t, "run", p)
	if code != ExitOK {
		t.Fatalf("run: exit %d\n%s%s", code, out, errOut)
	}
	want := []string{
		p + `:9:47: calculated_attributes[0].event: no stored event is named "app_opne"; did you mean "app_open"?`,
		p + `:14:26: audiences[0].criteria.all[0].event.name: no stored event is named "Purchase"; did you mean "purchase"?`,
		p + `:15:36: audiences[0].criteria.all[1].not.attribute.key: no profile has an attribute "tire"; did you mean "tier"?`,
		p + `:18:43: audiences[1].criteria.any[0].identity.type: no stored identity is of type "ios_idfa" yet: it matches nothing until one is stored`,
		p + `:18:105: audiences[1].criteria.any[2].event.name: no stored event is named "refund" yet: it matches nothing until one is stored`,
	}
	if !strings.Contains(out, "\nwarnings:\n  "+strings.Join(want, "\n  ")+"\n") {
		t.Errorf("the run's summary lacks the warnings\n  %s\n%s", strings.Join(want, "\n  "), out)
	}
	code, out, _ = mosaic(t, "runs", "-p", p, "--format", "csv")
	if code != ExitOK || !strings.Contains(out, strings.ReplaceAll(strings.Join(want[:2], "; "), `"`, `""`)) {
		t.Errorf("runs: exit %d\n%s", code, out)
	}
	code, out, _ = mosaic(t, "sql", "-p", p, "--format", "csv", "SELECT json_array_length(stats->'unseen_names') AS n FROM runs")
	if code != ExitOK || out != "n\n5\n" {
		t.Errorf("runs.stats.unseen_names: exit %d\n%s", code, out)
	}

	// check reads them from the store too, the pipeline still ready.
	code, out, errOut = mosaic(t, "check", p)
	if code != ExitOK || !strings.Contains(out, "\nnames the store has no data of (each run warns of them too):\n  "+strings.Join(want, "\n  ")+"\n") {
		t.Errorf("check: exit %d\n%s%s", code, out, errOut)
	}

	// A refund arrives: the next run warns of the rest only.
	writeFile(t, filepath.Join(dir, "in/2.ndjson"), strings.NewReplacer(`"ann"`, `"bob"`, "purchase", "refund", `"a1"`, `"b1"`, `"a2"`, `"b2"`).Replace(unseenBatches))
	code, out, errOut = mosaic(t, "run", p)
	if code != ExitOK || strings.Contains(out, "refund") || !strings.Contains(out, want[3]) {
		t.Errorf("second run: exit %d\n%s%s", code, out, errOut)
	}
}
