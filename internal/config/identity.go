package config

import (
	"slices"
	"strings"
	"unicode"
)

// IdentityTypes lists the identity types mosaic knows, in the order used
// after a pipeline's identity.priority (docs/design.md, identity rules). Spelled as stored.
var IdentityTypes = []string{
	"customerid", "email", "other",
	"other_id_2", "other_id_3", "other_id_4", "other_id_5", "other_id_6",
	"other_id_7", "other_id_8", "other_id_9", "other_id_10",
	"mobile_number", "phone_number_2", "phone_number_3",
	"facebook", "twitter", "google", "microsoft", "yahoo",
	"facebook_custom_audience_id", "alias",
	"ios_idfa", "android_uuid", "device_application_stamp",
	"ios_idfv", "android_aaid", "push_token", "roku_aid", "roku_publisher_id",
	"fire_aid", "microsoft_aid", "microsoft_publisher_id",
}

// identitySpellings maps other accepted spellings to the stored one.
var identitySpellings = map[string]string{"customer_id": "customerid"}

// CanonicalIdentityType returns the stored spelling of an identity type and
// whether it is known.
func CanonicalIdentityType(t string) (string, bool) {
	if c, ok := identitySpellings[t]; ok {
		return c, true
	}
	return t, slices.Contains(IdentityTypes, t)
}

// SourceTypes lists the feed source types, highest priority first: the
// default attribute priority (docs/design.md, attribute rules).
var SourceTypes = []string{"sdk", "events_api", "warehouse", "partner_feed", "csv"}

// Calculations lists the calculated-attribute kinds.
var Calculations = []string{
	"count", "sum", "min", "max", "average", "most_frequent", "unique_count",
	"first_value", "last_value", "first_timestamp", "last_timestamp", "unique_values",
}

// calculationsWithoutAttribute need no event attribute.
var calculationsWithoutAttribute = []string{"count", "first_timestamp", "last_timestamp"}

// PredicateOps lists the comparison operators of audience predicates.
var PredicateOps = []string{"eq", "ne", "lt", "lte", "gt", "gte", "in", "contains", "starts_with", "matches", "exists"}

// IdentityOrder returns every identity type in matching order: the
// pipeline's priority first, then the rest in IdentityTypes order.
func (p *Pipeline) IdentityOrder() []string {
	order := slices.Clone(p.Identity.Priority)
	for _, t := range IdentityTypes {
		if !slices.Contains(order, t) {
			order = append(order, t)
		}
	}
	return order
}

// MaxShared returns the identity types identity.max_shared limits, with
// their limits: a type's own, else the "*" one.
func (p *Pipeline) MaxShared() (types []string, limits []int64) {
	for _, t := range IdentityTypes {
		n, ok := p.Identity.MaxShared[t]
		if !ok {
			n, ok = p.Identity.MaxShared["*"]
		}
		if ok {
			types, limits = append(types, t), append(limits, int64(n))
		}
	}
	return types, limits
}

// SourceOrder returns every source type, highest priority first: the
// pipeline's source_priority, then the types it leaves out in the default
// order.
func (p *Pipeline) SourceOrder() []string {
	order := slices.Clone(p.SourcePriority)
	for _, t := range SourceTypes {
		if !slices.Contains(order, t) {
			order = append(order, t)
		}
	}
	return order
}

// LowersEmail tells whether e-mail identities are matched lower-cased
// (unless identity.case_sensitive lists email).
func (id Identity) LowersEmail() bool { return !slices.Contains(id.CaseSensitive, "email") }

// Normalize returns an identity value as staging stores it: surrounding
// whitespace (no-break spaces and byte-order marks too) removed, e-mail
// lower-cased unless the pipeline keeps e-mail case-sensitive.
func (id Identity) Normalize(typ, value string) string {
	value = strings.TrimFunc(value, func(r rune) bool { return unicode.IsSpace(r) || r == '\u00a0' || r == '\ufeff' })
	if typ == "email" && id.LowersEmail() {
		value = strings.ToLower(value)
	}
	return value
}
