package config

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"time"
)

// CalculationNeedsAttribute tells whether calculation kind reads an event
// attribute (`attribute:`): every kind but count, first_timestamp and
// last_timestamp, which look only at the events themselves.
func CalculationNeedsAttribute(kind string) bool {
	return slices.Contains(Calculations, kind) && !slices.Contains(calculationsWithoutAttribute, kind)
}

func (v *validator) validateCalculated() {
	names := map[string]bool{}
	feedKeys := v.feedAttributeKeys()
	for i, c := range v.p.CalculatedAttributes {
		path := fmt.Sprintf("calculated_attributes[%d]", i)
		v.unique(names, path+".name", "calculated attribute", c.Name)
		if len(c.Name) > 255 {
			v.errorf(path+".name", "calculated attribute name is longer than 255 characters")
		}
		if f, ok := feedKeys[c.Name]; ok {
			v.errorf(path+".name", "calculated attribute %q has the name of an attribute that feed %q sets: rename one of them, profile_attributes would hold both", c.Name, f)
		}
		v.oneOf(path+".calculation", "calculation", c.Calculation, Calculations)
		if c.Event == "" {
			v.errorf(path+".event", "event is required: the event name to calculate over")
		}
		switch {
		case c.Attribute == "" && CalculationNeedsAttribute(c.Calculation):
			v.errorf(path+".calculation", "calculation %q needs `attribute:`, the event attribute it reads", c.Calculation)
		case c.Attribute != "" && slices.Contains(calculationsWithoutAttribute, c.Calculation):
			v.errorf(path+".attribute", "calculation %q reads no attribute: remove `attribute:` (to count only events that carry it, add `where: [{key: %s, op: exists}]`)", c.Calculation, c.Attribute)
		}
		if c.Since != "" {
			if _, err := time.Parse(time.DateOnly, c.Since); err != nil {
				v.errorf(path+".since", "bad date %q: write YYYY-MM-DD", c.Since)
			}
			if c.Within != 0 {
				v.errorf(path+".since", "set `within` or `since`, not both")
			}
		}
		v.window(path+".within", c.Within)
		for j := range c.Where {
			v.predicate(fmt.Sprintf("%s.where[%d]", path, j), &c.Where[j])
		}
	}
}

// feedAttributeKeys maps each attribute key a columnar feed sets to the
// first feed (in file order) that sets it. Batch feeds' keys come with
// their data and are not known here.
func (v *validator) feedAttributeKeys() map[string]string {
	keys := map[string]string{}
	for _, f := range v.p.Feeds {
		for _, col := range slices.SortedFunc(maps.Keys(f.Attributes), cmp.Compare) {
			if _, seen := keys[f.Attributes[col]]; !seen {
				keys[f.Attributes[col]] = f.Name
			}
		}
	}
	return keys
}
