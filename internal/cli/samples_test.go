package cli

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

func TestSampleChanges(t *testing.T) {
	before := pipeline.ProfileView{
		Identities: map[string][]string{"email": {"a@x.com", "b@x.com"}},
		Attributes: map[string]string{"tier": `"gold"`, "city": `"Oslo"`, "ltv": "10"},
	}
	after := pipeline.ProfileView{
		Identities: map[string][]string{"email": {"a@x.com"}, "customerid": {"C1"}},
		Attributes: map[string]string{"tier": `"platinum"`, "ltv": "10", "age": "41"},
	}
	want := []string{"+customerid C1", "-email b@x.com", "age 41", `city "Oslo" → (none)`, `tier "gold" → "platinum"`}
	if diff := cmp.Diff(want, changes(before, after)); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if got := changes(after, after); !cmp.Equal(got, []string{"no change"}) {
		t.Errorf("no change: %v", got)
	}
}
