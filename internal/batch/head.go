package batch

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// head is a batch as either decoder reads it, before it is checked: an
// object's members sorted by key (a key sent twice keeps its last value,
// as when encoding/json decodes into a map), values as raw JSON text, ""
// when absent.
type head struct {
	identities, attributes, device      []member
	deleted                             []string
	mpid, requestID, timestamp, batchID string
	environment                         string
	hasEnvironment                      bool
	events                              []wireEvent
}

// member is one of an object's keys and its raw value.
type member struct{ key, raw string }

// wireEvent is an event as read: its type (hasType: not absent or null)
// and the members of its data staging uses, raw ("" when absent).
type wireEvent struct {
	typ                      string
	hasType                  bool
	name, id, ts, attributes string
}

// reset empties h, keeping its lists' memory.
func (h *head) reset() {
	*h = head{identities: h.identities[:0], attributes: h.attributes[:0], device: h.device[:0],
		deleted: h.deleted[:0], events: h.events[:0]}
}

// lastWins sorts an object's members by key, keeping the last value of a
// key sent twice.
func lastWins(ms []member) []member {
	if len(ms) < 2 {
		return ms
	}
	slices.SortStableFunc(ms, func(a, b member) int { return strings.Compare(a.key, b.key) })
	out := ms[:0]
	for i, m := range ms {
		if i+1 < len(ms) && ms[i+1].key == m.key {
			continue
		}
		out = append(out, m)
	}
	return out
}

// members is an object decoded by encoding/json as a head holds it.
func members(m map[string]json.RawMessage) []member {
	var ms []member
	for _, k := range slices.Sorted(maps.Keys(m)) {
		ms = append(ms, member{k, string(m[k])})
	}
	return ms
}

// batch checks h and converts it into b (b's lists keep their memory);
// id names the batch for event ids when it carries no batch_id or
// source_request_id.
func (h *head) batch(b *Batch, id string) error {
	*b = Batch{Identities: b.Identities[:0], Attributes: b.Attributes[:0], Deleted: b.Deleted[:0], Events: b.Events[:0]}
	if err := checkEnvironment(h.environment, h.hasEnvironment); err != nil {
		return err
	}
	if err := b.identities(h); err != nil {
		return err
	}
	if err := checkAttributes(h.attributes); err != nil {
		return err
	}
	for _, m := range h.attributes {
		b.Attributes = append(b.Attributes, Attribute{Key: m.key, Value: m.raw})
	}
	for i, d := range h.deleted {
		key, err := unquote(d)
		if err != nil || key == "" || len(key) > MaxKeyLength {
			return fail("invalid_deleted_attribute", "deleted_user_attributes[%d] must be a key: a string of 1 to %d characters", i, MaxKeyLength)
		}
		b.Deleted = append(b.Deleted, key)
	}
	var err error
	if b.MPID, err = parseInt(top("mpid"), h.mpid); err != nil {
		return err
	}
	if b.SourceRequestID, err = parseString(top("source_request_id"), h.requestID); err != nil {
		return err
	}
	if b.BatchID, err = parseString(top("batch_id"), h.batchID); err != nil {
		return err
	}
	ms, err := parseInt(top("timestamp_unixtime_ms"), h.timestamp)
	if err != nil {
		return err
	}
	if ms != 0 {
		b.Time = time.UnixMilli(ms).UTC()
	}
	eventID := id
	if b.SourceRequestID != "" {
		eventID = b.SourceRequestID
	} else if b.BatchID != "" {
		eventID = b.BatchID
	}
	return b.addEvents(h.events, eventID)
}

func checkEnvironment(env string, present bool) error {
	switch {
	case !present:
		return fail("missing_environment", `environment is required: "production" or "development"`)
	case env != "production" && env != "development":
		return fail("invalid_environment", `environment is %q; it must be "production" or "development"`, env)
	}
	return nil
}

func checkAttributes(attrs []member) error {
	for _, m := range attrs {
		key, raw := m.key, m.raw
		if key == "" || len(key) > MaxKeyLength {
			return fail("attribute_key_too_long", "user_attributes key %.40q… is %d characters; keys are 1 to %d", key, len(key), MaxKeyLength)
		}
		switch raw[0] {
		case '{':
			return fail("invalid_attribute_value", "user_attributes.%s is an object; values are strings, numbers, booleans, null or lists of strings", key)
		case '[':
			var list []*string
			if json.Unmarshal([]byte(raw), &list) != nil {
				return fail("invalid_attribute_value", "user_attributes.%s is a list of something else than strings", key)
			}
			if len(list) > MaxListItems {
				return fail("attribute_list_too_long", "user_attributes.%s has %d items; the limit is %d", key, len(list), MaxListItems)
			}
			for _, s := range list {
				if s != nil && len(*s) > MaxValueLength {
					return fail("attribute_value_too_long", "an item of user_attributes.%s is %d characters; the limit is %d", key, len(*s), MaxValueLength)
				}
			}
		case '"':
			if s, _ := unquote(raw); len(s) > MaxValueLength {
				return fail("attribute_value_too_long", "user_attributes.%s is %d characters; the limit is %d", key, len(s), MaxValueLength)
			}
		}
	}
	return nil
}

// addEvents checks and keeps the events read; batchID prefixes the ids of
// those without a source_message_id.
func (b *Batch) addEvents(events []wireEvent, batchID string) error {
	b.Events = slices.Grow(b.Events, len(events))
	for i, we := range events {
		if !we.hasType || we.typ == "" {
			return fail("invalid_events", "events[%d] has no event_type", i)
		}
		e := Event{Type: we.typ, Attributes: "null"}
		if name, err := parseString(eventData(i, "event_name"), we.name); err != nil {
			return err
		} else if name != "" {
			e.Name = name
		} else {
			e.Name = e.Type
		}
		if id, err := parseString(eventData(i, "source_message_id"), we.id); err != nil {
			return err
		} else if id != "" {
			e.ID = id
		} else {
			e.ID = batchID + ":" + strconv.Itoa(i)
		}
		ms, err := parseInt(eventData(i, "timestamp_unixtime_ms"), we.ts)
		if err != nil {
			return err
		}
		if ms != 0 {
			e.Time = time.UnixMilli(ms).UTC()
		}
		if attrs := we.attributes; attrs != "" && attrs != "null" {
			if attrs[0] != '{' {
				return fail("invalid_events", "events[%d].data.custom_attributes must be an object", i)
			}
			e.Attributes = attrs
		}
		b.Events = append(b.Events, e)
	}
	if b.Time.IsZero() {
		b.Time = b.eventsLatest() // the batch time falls back to its latest event
	}
	return nil
}

func (b *Batch) eventsLatest() time.Time {
	var t time.Time
	for _, e := range b.Events {
		if e.Time.After(t) {
			t = e.Time
		}
	}
	return t
}
