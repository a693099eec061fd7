package outputs

import (
	"slices"
	"strings"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/internal/batch"
	"github.com/mosaic-cdp/mosaic/internal/config"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// field is one `fields:` entry as profiles.sql.tmpl renders it: Kind is
// mpid, identity, attribute, audience or profile; Index numbers the
// identity, attribute or audience column it reads; Arg is the profile
// column.
type field struct {
	Name, Kind, Arg string
	Index           int
}

// profilesData is profiles.sql.tmpl's input.
type profilesData struct {
	Audience string
	// KeyIndex is the key's identity column, -1 for the MPID.
	KeyIndex                          int
	Identities, Attributes, Audiences []string
	Fields                            []field
}

// audienceData is audience.sql.tmpl's input.
type audienceData struct {
	Audiences, Identities []string
}

// desiredSQL renders the statement that fills _out_desired for output i
// of p, and returns the record fields in order and the operation its
// added and changed records carry. An events output's statement takes
// the arguments eventsArgs returns.
func desiredSQL(p *config.Pipeline, o *config.Output, i int) (query string, fields []string, op string, err error) {
	if o.Send == config.SendEvents {
		return sqlfiles.Get("outputs/events.sql"), nil, connectors.OpForward, nil
	}
	if o.Send == config.SendAudience {
		d := audienceData{Audiences: o.OutputAudiences()}
		for _, t := range o.Identities {
			c, _ := config.CanonicalIdentityType(t)
			d.Identities = append(d.Identities, c)
		}
		q, err := sqlfiles.Render("outputs/audience.sql.tmpl", d)
		fields = []string{"audience", "mpid"}
		if len(d.Identities) > 0 {
			fields = append(fields, "identities")
		}
		return q, fields, connectors.OpAdd, err
	}
	d := profilesData{Audience: o.Audience, KeyIndex: -1}
	if o.Key != "mpid" {
		c, _ := config.CanonicalIdentityType(o.Key)
		d.KeyIndex = index(&d.Identities, c)
	}
	fields = p.FieldNames(i)
	for _, name := range fields {
		kind, arg, _ := strings.Cut(o.Fields[name], ".")
		f := field{Name: name, Kind: kind, Arg: arg}
		switch kind {
		case "identity":
			c, _ := config.CanonicalIdentityType(arg)
			f.Index = index(&d.Identities, c)
		case "attribute":
			f.Index = index(&d.Attributes, arg)
		case "audience":
			f.Index = index(&d.Audiences, arg)
		}
		d.Fields = append(d.Fields, f)
	}
	q, err := sqlfiles.Render("outputs/profiles.sql.tmpl", d)
	return q, fields, connectors.OpUpsert, err
}

// index returns x's position in *list, appending it when new.
func index(list *[]string, x string) int {
	if i := slices.Index(*list, x); i >= 0 {
		return i
	}
	*list = append(*list, x)
	return len(*list) - 1
}

// eventsArgs are events.sql's arguments: the runs after position up to
// last, the pipeline's only_read feeds, the attribute filter, where a
// batch carries each identity type (batch.IdentityField, as lists: types,
// objects, keys) and the output's name.
func eventsArgs(p *config.Pipeline, o *config.Output, position, last int64) []any {
	var types, objects, keys []string
	for _, t := range config.IdentityTypes {
		if object, key, ok := batch.IdentityField(t); ok {
			types, objects, keys = append(types, t), append(objects, object), append(keys, key)
		}
	}
	onlyRead := []int32{}
	for i, f := range p.Feeds {
		if f.Protection == config.OnlyRead {
			onlyRead = append(onlyRead, int32(i))
		}
	}
	include, exclude := o.Attributes.Include, o.Attributes.Exclude
	if include == nil {
		include = []string{}
	}
	if exclude == nil {
		exclude = []string{}
	}
	return []any{position, last, onlyRead, include, exclude, types, objects, keys, o.Name}
}
