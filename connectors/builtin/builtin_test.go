package builtin

import (
	"testing"

	"github.com/mosaic-cdp/mosaic/connectors"
)

// TestDestinationsCheckTheirEnvironment: every output kind whose Open
// reads the machine's environment is a connectors.EnvChecker, so that a
// missing secret is found before a run commits; files reads nothing.
func TestDestinationsCheckTheirEnvironment(t *testing.T) {
	r := Registry()
	for _, kind := range r.DestinationKinds() {
		d, _ := r.Destination(kind)
		if _, ok := d.(connectors.EnvChecker); !ok && kind != "files" {
			t.Errorf("output kind %s is not a connectors.EnvChecker", kind)
		}
	}
}
