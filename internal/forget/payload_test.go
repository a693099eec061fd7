package forget_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestForgetRecordIdentifiesOnly: the record an output gets for a profile
// forget erased carries what identifies the person, for the receiver to
// find what it holds (a profiles output's key and its MPID and identity
// fields; an audience record's audience, MPID and identities), and none
// of what the output said about them (crm's tier).
func TestForgetRecordIdentifiesOnly(t *testing.T) {
	dir, rcs := setup(t)
	pipe := filepath.Join(dir, "pipeline.yaml")
	run(t, dir, 1, ann, bob)
	if code, out := mosaic(t, "forget", "-p", pipe, "--identity", "email=bob@x.com"); code != 0 {
		t.Fatalf("forget: exit %d\n%s", code, out)
	}
	if code, out := mosaic(t, "sync", pipe); code != 0 {
		t.Fatalf("sync: exit %d\n%s", code, out)
	}
	for name, want := range map[string]string{
		"crm":  `forget bob@x.com {"email":"bob@x.com"}`,
		"gold": `forget gold:MPID {"audience":"gold","mpid":MPID,"identities":{"email":["bob@x.com"]}}`,
	} {
		reqs := rcs[name].Requests()
		recs := reqs[len(reqs)-1].Payload.Records
		if len(recs) != 1 {
			t.Fatalf("%s's last request: %+v, want one record", name, recs)
		}
		got := recs[0].Op + " " + recs[0].Key + " " + string(recs[0].Fields)
		if name == "gold" {
			mpid := recs[0].Key[len("gold:"):]
			want = strings.ReplaceAll(want, "MPID", mpid)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s's forget record (-want +got):\n%s", name, diff)
		}
	}
}
