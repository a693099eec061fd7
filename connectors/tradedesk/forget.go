package tradedesk

import (
	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/adnorm"
	"github.com/mosaic-cdp/mosaic/internal/config"
)

var _ connectors.StateForgetter = (*Destination)(nil)

// StateKeys returns the keys of the mappings o keeps (mappings.go) of
// identities: what `mosaic forget` deletes of a forgotten profile.
func (d *Destination) StateKeys(o config.Output, identities map[string][]string) ([]string, error) {
	var keys []string
	for _, t := range o.Identities {
		typ, _ := config.CanonicalIdentityType(t)
		kind, ok := Kinds[typ]
		if !ok {
			continue
		}
		for _, v := range identities[typ] {
			if h, err := adnorm.UID2(kind, v); err == nil {
				keys = append(keys, stateKey(kind+":"+h))
			}
		}
	}
	return keys, nil
}
