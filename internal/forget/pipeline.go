package forget

import (
	"fmt"
	"slices"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/internal/batch"
	"github.com/mosaic-cdp/mosaic/internal/config"
)

// ForPipeline is a Request with what pipeline p tells forget, before it
// names a profile: p's identity and MPID fields (IdentityFields,
// MPIDFields) and its outputs' state keys (OutputStateKeys, reg finding
// the outputs' destinations). `mosaic forget -p` and the erasure requests
// `mosaic serve` takes both start from it, so that both erase alike.
func ForPipeline(p *config.Pipeline, reg *connectors.Registry) Request {
	return Request{StateKeys: OutputStateKeys(p, reg), IdentityFields: IdentityFields(p), MPIDFields: MPIDFields(p)}
}

// IdentityFields is Request.IdentityFields for pipeline p (nil for no
// pipeline): the names a dropped row gives an identity's field
// (sql/forget/spelled.sql). Those are identity_value (the value a drop
// reason names), every identity type and the key a batch carries it
// under (user_identities, device_info), and the columns p's feeds map to
// an identity.
func IdentityFields(p *config.Pipeline) []string {
	if p == nil {
		return nil
	}
	fields := []string{"identity_value"}
	for _, t := range config.IdentityTypes {
		fields = append(fields, t)
		if _, key, ok := batch.IdentityField(t); ok && key != t {
			fields = append(fields, key)
		}
	}
	for _, f := range p.Feeds {
		for col := range f.Identities {
			fields = append(fields, col)
		}
	}
	slices.Sort(fields)
	return slices.Compact(fields)
}

// MPIDFields is Request.MPIDFields for pipeline p (nil for no pipeline):
// the names a dropped row gives an MPID's field (sql/forget/spelled.sql's
// forgetMPIDs): mpid (a batch's, and the identity stage's record of a row
// it drops with no identity) and the columns p's feeds map to an MPID.
func MPIDFields(p *config.Pipeline) []string {
	if p == nil {
		return nil
	}
	fields := []string{"mpid"}
	for _, f := range p.Feeds {
		if f.MPID != "" {
			fields = append(fields, f.MPID)
		}
	}
	slices.Sort(fields)
	return slices.Compact(fields)
}

// fieldsArg is fields as a query parameter: NULL, not an empty list, when
// there are none known (spelled.sql then takes any field).
func fieldsArg(fields []string) any {
	if fields == nil {
		return nil
	}
	return fields
}

// OutputStateKeys is Request.StateKeys for pipeline p's outputs: the keys
// each output whose destination is a connectors.StateForgetter names.
func OutputStateKeys(p *config.Pipeline, reg *connectors.Registry) func(map[string][]string) (map[string][]string, error) {
	return func(identities map[string][]string) (map[string][]string, error) {
		out := map[string][]string{}
		for _, o := range p.Outputs {
			d, err := reg.Destination(o.Kind)
			if err != nil {
				return nil, err
			}
			if sf, ok := d.(connectors.StateForgetter); ok {
				keys, err := sf.StateKeys(o, identities)
				if err != nil {
					return nil, fmt.Errorf("output %s: %w", o.Name, err)
				}
				out[o.Name] = keys
			}
		}
		return out, nil
	}
}
