package batch

import (
	"fmt"
	"testing"

	"github.com/mosaic-cdp/mosaic/internal/config"
)

// TestIdentityFieldIsWhatDecodeReads: every identity type mosaic knows
// has a place in a batch, and a batch carrying a value there decodes to
// that type, so that what mosaic writes as a batch it (and the Events
// API) reads back.
func TestIdentityFieldIsWhatDecodeReads(t *testing.T) {
	for _, typ := range config.IdentityTypes {
		object, key, ok := IdentityField(typ)
		if !ok {
			t.Errorf("%s: no place in a batch", typ)
			continue
		}
		line := fmt.Sprintf(`{"environment":"production",%q:{%q:"v-1"}}`, object, key)
		b, err := Decode([]byte(line), "f:1")
		if err != nil {
			t.Errorf("%s: %s: %v", typ, line, err)
			continue
		}
		if len(b.Identities) != 1 || b.Identity(typ) != "v-1" {
			t.Errorf("%s: %s decodes to %+v", typ, line, b.Identities)
		}
	}
	if _, _, ok := IdentityField(""); ok {
		t.Errorf(`"" has a place in a batch`)
	}
}
