package audiences_test

import (
	"testing"

	"github.com/mosaic-cdp/mosaic/internal/audiences"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/golden"
)

// A profile's name in the dumps: its customerid, else its e-mail, else its
// MPID (a merged-away one has no identity left).
const names = `(SELECT p.mpid, coalesce(max(i.identity_value) FILTER (WHERE i.identity_type = 'customerid'),
	max(i.identity_value) FILTER (WHERE i.identity_type = 'email'), 'mpid ' || p.mpid) AS name
	FROM (SELECT mpid FROM profiles UNION SELECT mpid FROM audience_history) p
	LEFT JOIN profile_identities i USING (mpid) GROUP BY p.mpid)`

// TestGolden runs testdata/audiences/<case>/ (see package golden); each
// case's want/explain.sql is `mosaic validate --explain` of its pipeline.
func TestGolden(t *testing.T) {
	golden.RunAllTexts(t, "../../testdata/audiences", golden.Dumps{
		"members.txt": `SELECT m.audience || ': ' || string_agg(n.name, ' ' ORDER BY n.name)
			FROM audience_members m JOIN ` + names + ` n USING (mpid) GROUP BY m.audience ORDER BY 1`,
		"history.txt": `SELECT h.audience || ' ' || n.name || ' entered ' || strftime(h.entered_at, '%m-%d')
			|| coalesce(' exited ' || strftime(h.exited_at, '%m-%d'), '') || ' (run ' || h.run_id || ')'
			FROM audience_history h JOIN ` + names + ` n USING (mpid) ORDER BY 1`,
	}, func(t *testing.T, p *config.Pipeline, store string) map[string]string {
		if len(p.CalculatedAttributes) > 0 && golden.Dump(t, store, `SELECT count(*) FROM profile_attributes WHERE calculated`) == "0\n" {
			t.Skip("no calculated attribute was computed: this build has no calculated-attribute stage (internal/calculated) yet")
		}
		text, err := audiences.Explain(p)
		if err != nil {
			t.Fatal(err)
		}
		return map[string]string{"explain.sql": text}
	})
}
