package google

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/adnorm"
	"github.com/mosaic-cdp/mosaic/connectors/google/googletest"
)

// openValidate returns a checking writer on srv with the tests' refresh
// token.
func openValidate(t *testing.T, srv *googletest.Server) connectors.Writer {
	t.Helper()
	t.Setenv("MOSAIC_TEST_GOOGLE_CREDENTIALS", userCredentials(t))
	keys := outputKeys(srv) + "    audience: vip\n    identities: [email, mobile_number]\n"
	w, err := New().OpenValidate(context.Background(), output(t, keys))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// TestOpenValidateAppliesNothing: a checking writer sends the requests a
// sync would, with validateOnly; it answers the records the API refuses,
// as a sync's writer does, and the list keeps its members.
func TestOpenValidateAppliesNothing(t *testing.T) {
	srv := newServer(t)
	w, err := open(t, srv, userCredentials(t))
	if err != nil {
		t.Fatal(err)
	}
	keep := rec("add", "0", map[string][]string{"email": {"keep@x.com"}})
	if _, err := w.Write(context.Background(), connectors.Batch{Records: []connectors.Record{keep}}); err != nil {
		t.Fatal(err)
	}
	members := srv.Members()
	h, _ := adnorm.Google("email", "refused@x.com")
	srv.Reject(h, "INVALID_SHA256_FORMAT")
	keep.Op = "remove"
	batch := connectors.Batch{Records: []connectors.Record{
		keep,
		rec("add", "1", map[string][]string{"email": {"a@x.com"}}),
		rec("add", "2", map[string][]string{"email": {"refused@x.com"}}),
		rec("add", "3", map[string][]string{"email": {"nope"}}),
	}}
	check, err := openValidate(t, srv).Write(context.Background(), batch)
	if err != nil {
		t.Fatal(err)
	}
	if got := srv.Members(); !slices.Equal(got, members) {
		t.Errorf("after the check the list holds %v, want %v as before", got, members)
	}
	if got, want := srv.Requests(), []string{"ingest 1", "validate remove 1", "validate ingest 2 refused", "validate ingest 1"}; !slices.Equal(got, want) {
		t.Errorf("requests %q, want %q", got, want)
	}
	for i, e := range check {
		if bad := i >= 2; bad != connectors.IsRecordError(e) || (!bad && e != nil) {
			t.Errorf("record %d: %v", i, e)
		}
	}
	if msg := fmt.Sprint(check[2]); !strings.Contains(msg, "INVALID_SHA256_FORMAT") || !strings.Contains(msg, "audience_members[1]") {
		t.Errorf("record 2's rejection: %s", msg)
	}
	// The real write refuses the same records with the same reasons.
	real, err := w.Write(context.Background(), batch)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(real) != fmt.Sprint(check) {
		t.Errorf("the write answered %v, the check %v", real, check)
	}
	if got, want := srv.Members(), []string{memberOf(t, "email", "a@x.com")}; !slices.Equal(got, want) {
		t.Errorf("after the write the list holds %v, want %v", got, want)
	}
}
