package batch

import (
	"slices"
	"strings"
)

// Identity is one identity of a batch.
type Identity struct{ Type, Value string }

func (b *Batch) identities(h *head) error {
	for _, m := range h.identities {
		key, raw := m.key, m.raw
		typ, ok := userIdentityTypes[key]
		if !ok {
			return fail("unknown_identity_type", "user_identities.%s is not an identity type of the Events API", key)
		}
		if err := b.addIdentity("user_identities", key, typ, raw); err != nil {
			return err
		}
	}
	for _, m := range h.device {
		key, raw := m.key, m.raw
		if typ, ok := deviceIdentityTypes[key]; ok {
			if err := b.addIdentity("device_info", key, typ, raw); err != nil {
				return err
			}
		}
	}
	if len(b.Identities) > 1 {
		slices.SortFunc(b.Identities, func(x, y Identity) int { return strings.Compare(x.Type, y.Type) })
	}
	return nil
}

// addIdentity adds the identity the batch's object obj gives at key.
func (b *Batch) addIdentity(obj, key, typ, raw string) error {
	if raw == "null" {
		return nil
	}
	v, err := unquote(raw)
	if err != nil {
		return fail("invalid_identity_value", "%s.%s must be a string", obj, key)
	}
	for _, id := range b.Identities {
		if id.Type != typ {
			continue
		}
		if id.Value != v {
			return fail("conflicting_identities", "%s.%s gives a second %s (%q and %q)", obj, key, typ, id.Value, v)
		}
		return nil
	}
	b.Identities = append(b.Identities, Identity{Type: typ, Value: v})
	return nil
}

// Identity is the batch's value of an identity type ("" if none).
func (b *Batch) Identity(typ string) string {
	for _, id := range b.Identities {
		if id.Type == typ {
			return id.Value
		}
	}
	return ""
}
