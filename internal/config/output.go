package config

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Output is one destination object: what it sends (Send), which records
// (Audience, Audiences, Key), how each record looks (Fields, Identities),
// and how the destination's copy follows the store (Mode, Nulls). Its
// kind-specific keys (url, path, secret_env, …) stay raw for the
// destination connector to decode.
type Output struct {
	Name string `yaml:"name"`
	Kind string `yaml:"kind"`
	// Send is what the output delivers: SendProfiles, SendAudience or
	// SendEvents.
	Send string `yaml:"send"`
	// Audience limits a profiles output to the audience's members; for an
	// audience output it is the audience whose changes are sent (Audiences
	// names several).
	Audience  string   `yaml:"audience"`
	Audiences []string `yaml:"audiences"`
	// Key is what identifies a profile record at the destination: "mpid"
	// or an identity type.
	Key string `yaml:"key"`
	// Fields maps a record field name to its source: mpid,
	// identity.<type>, attribute.<key>, audience.<name> or
	// profile.<created_at|updated_at|last_seen_at>.
	Fields map[string]string `yaml:"fields"`
	// Identities are the identity types each audience record carries.
	Identities []string `yaml:"identities"`
	Mode       string   `yaml:"mode"`
	// Nulls is NullsSkip (a field that is null is left out of the record)
	// or NullsSend.
	Nulls string `yaml:"nulls"`
	// AllowEmpty lets a mirror output remove everything it delivered when
	// its set comes out empty.
	AllowEmpty bool `yaml:"allow_empty"`
	// BatchSize is the most records one request carries; RateLimit the
	// most requests a second (0: no limit); Timeout how long one request
	// may take.
	BatchSize int      `yaml:"batch_size"`
	RateLimit float64  `yaml:"rate_limit"`
	Timeout   Duration `yaml:"timeout"`
	// Attributes filters the user attributes an events output attaches to
	// the batches it forwards.
	Attributes AttributeFilter `yaml:"attributes"`
	Raw        Raw             `yaml:"-"`
}

// AttributeFilter keeps the attribute keys in Include (all when empty),
// then drops those in Exclude.
type AttributeFilter struct {
	Include []string `yaml:"include"`
	Exclude []string `yaml:"exclude"`
}

// What outputs send, their modes and their null handling.
const (
	SendProfiles = "profiles"
	SendAudience = "audience"
	SendEvents   = "events"

	ModeUpsert = "upsert"
	ModeInsert = "insert"
	ModeMirror = "mirror"

	NullsSkip = "skip"
	NullsSend = "send"
)

// OutputModes lists how an output treats what it sent before.
var OutputModes = []string{ModeUpsert, ModeMirror, ModeInsert}

// outputCommonKeys are decoded by config; the rest of an output's block
// belongs to its destination connector.
var outputCommonKeys = []string{"name", "kind", "send", "audience", "audiences", "key", "fields", "identities",
	"mode", "nulls", "allow_empty", "batch_size", "rate_limit", "timeout", "attributes"}

// ProfileColumns are the profile.<column> sources of a field.
var ProfileColumns = []string{"created_at", "updated_at", "last_seen_at"}

// OutputAudiences returns the audiences an audience output sends, in file
// order.
func (o *Output) OutputAudiences() []string {
	if o.Audience != "" {
		return append([]string{o.Audience}, o.Audiences...)
	}
	return o.Audiences
}

// FieldNames returns the output's field names in file order.
func (p *Pipeline) FieldNames(i int) []string {
	path := fmt.Sprintf("outputs[%d].fields.", i)
	return slices.SortedFunc(maps.Keys(p.Outputs[i].Fields), func(a, b string) int {
		pa, pb := p.Pos(path+a), p.Pos(path+b)
		return cmp.Or(cmp.Compare(pa.Line, pb.Line), cmp.Compare(pa.Col, pb.Col), strings.Compare(a, b))
	})
}

// Defaults fills what an output leaves out: mode upsert (mirror for
// audience outputs, whose removes are the point; an events output
// forwards each batch once), nulls skip, 30 s a request. The batch size,
// when unset, is the destination's.
func (o *Output) Defaults() {
	switch {
	case o.Send == SendEvents:
		o.Mode = ModeInsert // each batch is forwarded once
	case o.Mode == "" && o.Send == SendAudience:
		o.Mode = ModeMirror
	case o.Mode == "":
		o.Mode = ModeUpsert
	}
	if o.Nulls == "" {
		o.Nulls = NullsSkip
	}
	if o.Timeout == 0 {
		o.Timeout = Duration(30e9)
	}
}

func (v *validator) validateOutputs() {
	names := map[string]bool{}
	for i := range v.p.Outputs {
		v.validateOutput(i, names)
	}
}

func (v *validator) validateOutput(i int, names map[string]bool) {
	o := &v.p.Outputs[i]
	path := fmt.Sprintf("outputs[%d]", i)
	v.unique(names, path+".name", "output", o.Name)
	if o.Name != "" && !nameRE.MatchString(o.Name) {
		v.errorf(path+".name", "bad output name %q: use letters, digits and _ (start with a letter)", o.Name)
	}
	if o.Kind == "" {
		v.errorf(path, "output kind is required")
	}
	audiences := v.audienceNames()
	if o.Audience != "" && !slices.Contains(audiences, o.Audience) {
		v.errorf(path+".audience", "unknown audience %q%s", o.Audience, suggestOr(o.Audience, audiences))
	}
	for j, a := range o.Audiences {
		if !slices.Contains(audiences, a) {
			v.errorf(fmt.Sprintf("%s.audiences[%d]", path, j), "unknown audience %q%s", a, suggestOr(a, audiences))
		}
	}
	if o.Mode != "" {
		v.oneOf(path+".mode", "mode", o.Mode, OutputModes)
	}
	if o.Nulls != "" {
		v.oneOf(path+".nulls", "nulls", o.Nulls, []string{NullsSkip, NullsSend})
	}
	if o.BatchSize < 0 || o.BatchSize > 100000 {
		v.errorf(path+".batch_size", "batch_size must be between 1 and 100000, got %d", o.BatchSize)
	}
	if o.RateLimit < 0 {
		v.errorf(path+".rate_limit", "rate_limit must be a number of requests a second, 0 or more, got %g", o.RateLimit)
	}
	if !v.oneOf(path+".send", "send", o.Send, []string{SendProfiles, SendAudience, SendEvents}) {
		return
	}
	if o.Send != SendEvents && (len(o.Attributes.Include) > 0 || len(o.Attributes.Exclude) > 0) {
		v.errorf(path+".attributes", "`attributes:` filters what an events output attaches to its batches; a %s output picks its fields with `fields:`", o.Send)
	}
	switch o.Send {
	case SendProfiles:
		v.validateProfilesOutput(path, o)
	case SendAudience:
		v.validateAudienceOutput(path, o)
	case SendEvents:
		v.validateEventsOutput(path, o)
	}
}

// validateEventsOutput checks an events output: it forwards every stored
// batch once, so it takes no records' keys, fields or mode.
func (v *validator) validateEventsOutput(path string, o *Output) {
	for _, k := range []string{"key", "fields", "identities", "audience", "audiences", "mode", "nulls", "allow_empty"} {
		if _, set := v.p.positions[path+"."+k]; set {
			v.errorf(path+"."+k, "an events output forwards each stored batch once, enriched with its profile: remove `%s`", k)
		}
	}
	for i, k := range o.Attributes.Include {
		if slices.Contains(o.Attributes.Exclude, k) {
			v.errorf(fmt.Sprintf("%s.attributes.include[%d]", path, i), "attribute %q is both included and excluded", k)
		}
	}
}

func (v *validator) validateProfilesOutput(path string, o *Output) {
	if len(o.Audiences) > 0 {
		v.errorf(path+".audiences", "a profiles output takes one `audience:` (its members are the records), not `audiences:`")
	}
	if len(o.Identities) > 0 {
		v.errorf(path+".identities", "`identities:` is for audience outputs: map identities as fields instead, like `fields: {email: identity.email}`")
	}
	switch {
	case o.Key == "":
		v.errorf(path, "a profiles output needs `key:`: mpid or an identity type such as email or customerid")
	case o.Key != "mpid":
		v.identityType(path+".key", o.Key)
	}
	if len(o.Fields) == 0 {
		v.errorf(path, "a profiles output needs `fields:`, like `fields: {email: identity.email, tier: attribute.tier}`")
	}
	for name, src := range o.Fields {
		v.fieldSource(path+".fields."+name, name, src)
	}
}

// fieldSource checks one `fields:` entry.
func (v *validator) fieldSource(path, name, src string) {
	if name == "" || len(name) > 255 {
		v.errorf(path, "field names must be 1 to 255 characters")
	}
	if name == "op" || name == "key" {
		v.errorf(path, "field name %q is taken: each record already has its op and key; name the field otherwise", name)
	}
	kind, arg, _ := strings.Cut(src, ".")
	switch {
	case src == "mpid":
	case kind == "identity":
		v.identityType(path, arg)
	case kind == "attribute" && arg != "":
		v.attributeSource(path, arg)
	case kind == "audience":
		if audiences := v.audienceNames(); !slices.Contains(audiences, arg) {
			v.errorf(path, "unknown audience %q%s", arg, suggestOr(arg, audiences))
		}
	case kind == "profile":
		v.oneOf(path, "profile column", arg, ProfileColumns)
	default:
		v.errorf(path, "unknown field source %q: use mpid, identity.<type>, attribute.<key>, audience.<name> or profile.<created_at|updated_at|last_seen_at>", src)
	}
}

// attributeSource checks an attribute.<key> field. Keys are known only when
// every feed is columnar (a batch feed's keys come with its data): then the
// key must be a mapped or a calculated attribute.
func (v *validator) attributeSource(path, key string) {
	for _, f := range v.p.Feeds {
		if f.Source.IsBatch() {
			return
		}
	}
	known := slices.Concat(slices.Collect(maps.Keys(v.feedAttributeKeys())), v.calculatedNames())
	if !slices.Contains(known, key) {
		slices.Sort(known)
		v.errorf(path, "no feed maps attribute %q and no calculated attribute has that name%s", key, suggestOr(key, known))
	}
}

func (v *validator) validateAudienceOutput(path string, o *Output) {
	if len(o.OutputAudiences()) == 0 {
		v.errorf(path, "an audience output needs `audience:` (or `audiences:`): the audience whose entries and exits it sends")
	}
	if o.Key != "" {
		v.errorf(path+".key", "an audience output's records are keyed by audience and mpid: remove `key:` and list the identities to send in `identities:`")
	}
	if len(o.Fields) > 0 {
		v.errorf(path+".fields", "an audience output sends the audience, the mpid and `identities:`; `fields:` is for profiles outputs")
	}
	seen := map[string]bool{}
	for j, t := range o.Identities {
		p := fmt.Sprintf("%s.identities[%d]", path, j)
		v.identityType(p, t)
		if c, _ := CanonicalIdentityType(t); seen[c] {
			v.errorf(p, "identity type %q is listed twice", t)
		} else {
			seen[c] = true
		}
	}
}
