package erasure

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mosaic-cdp/mosaic/internal/config"
)

// TestDecode: both shapes of subject_identities are read in the order
// written, mParticle's extension adds its identities, OpenDSR's and
// mParticle's type names map to the stored ones, values are normalised
// as staging normalises them (per the pipeline's rules), and the mosaic
// extension asks for a block.
func TestDecode(t *testing.T) {
	for _, c := range []struct {
		name     string
		identity config.Identity
		body     string
		want     Request
	}{{
		name: "mParticle v3, with its extension",
		body: `{"regulation": "ccpa", "subject_request_id": "A7551968-D5D6-44B2-9831-815AC9017798", "subject_request_type": "erasure",
			"submitted_time": "2026-06-01T17:00:00+02:00", "api_version": "3.0", "group_id": "g",
			"subject_identities": {"ios_advertising_id": {"value": "EA7583CD-A667-48BC-B806-42ECB2B48606", "encoding": "raw"},
				"email": {"value": " Ada@Example.COM\u00a0", "encoding": "raw"}},
			"extensions": {"opendsr.mparticle.com": {"skip_waiting_period": true, "subject_identities": {"other6": {"value": "x-6"}, "mpid": {"value": " 42 "}}},
				"another.example": {"anything": 1}, "mosaic": {"block": true}}}`,
		want: Request{ID: "a7551968-d5d6-44b2-9831-815ac9017798", Regulation: "ccpa", Submitted: time.Date(2026, 6, 1, 15, 0, 0, 0, time.UTC), Block: true,
			Identities: []Identity{
				{Sent: "ios_advertising_id", Type: "ios_idfa", Value: "EA7583CD-A667-48BC-B806-42ECB2B48606"},
				{Sent: "email", Type: "email", Value: "ada@example.com"},
				{Sent: "other6", Type: "other_id_6", Value: "x-6"},
				{Sent: "mpid", Type: "mpid", Value: "42"},
			}},
	}, {
		name:     "OpenDSR's list, e-mail kept case-sensitive, mosaic's own type names",
		identity: config.Identity{CaseSensitive: []string{"email"}},
		body: `{"regulation": "gdpr", "subject_request_id": "a7551968-d5d6-44b2-9831-815ac9017798", "subject_request_type": "erasure",
			"submitted_time": "2026-06-01T15:00:00Z", "subject_identities": [
				{"identity_type": "controller_customer_id", "identity_value": "C1", "identity_format": "raw"},
				{"identity_type": "email", "identity_value": "Ada@Example.com"},
				{"identity_type": "customer_id", "identity_value": "C2"},
				{"identity_type": "other_id_3", "identity_value": "o3"}]}`,
		want: Request{ID: "a7551968-d5d6-44b2-9831-815ac9017798", Regulation: "gdpr", Submitted: time.Date(2026, 6, 1, 15, 0, 0, 0, time.UTC),
			Identities: []Identity{
				{Sent: "controller_customer_id", Type: "customerid", Value: "C1"},
				{Sent: "email", Type: "email", Value: "Ada@Example.com"},
				{Sent: "customer_id", Type: "customerid", Value: "C2"},
				{Sent: "other_id_3", Type: "other_id_3", Value: "o3"},
			}},
	}} {
		got, err := Decode([]byte(c.body), c.identity)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if d := cmp.Diff(c.want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, d)
		}
	}
}

// TestDecodeErrorsNameNoValue: a refused identity is named by its place
// and type, never by its value.
func TestDecodeErrorsNameNoValue(t *testing.T) {
	const secret = "ada@example.com"
	for _, ids := range []string{
		`{"email": {"value": "` + secret + `", "encoding": "md5"}}`,
		`{"shoe": {"value": "` + secret + `"}}`,
		`{"mpid": {"value": "` + secret + `"}}`,
		`[{"identity_type": "email", "identity_value": "` + secret + `", "identity_format": "sha1"}]`,
	} {
		body := `{"regulation": "gdpr", "subject_request_id": "a7551968-d5d6-44b2-9831-815ac9017798", "subject_request_type": "erasure",
			"submitted_time": "2026-06-01T15:00:00Z", "subject_identities": ` + ids + `}`
		_, err := Decode([]byte(body), config.Identity{})
		if err == nil || strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "subject_identities") {
			t.Errorf("%s: %v; want an error naming the place, not the value", ids, err)
		}
	}
}
