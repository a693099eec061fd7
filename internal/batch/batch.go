// Package batch decodes and validates mParticle Events API batches (one
// JSON object per line in a `format: batch` feed, or one request body of
// the Events API), the way the real API does, and normalises them for
// staging: identity keys to mosaic's identity types, device identities
// included; the batch time; events with deterministic ids.
package batch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// Limits of the Events API.
const (
	MaxBatchBytes  = 128 * 1024
	MaxKeyLength   = 255
	MaxValueLength = 4096
	MaxListItems   = 1000
	// MaxIdentityLength bounds identity values; staging drops longer ones
	// (identity_too_long) and keeps the batch.
	MaxIdentityLength = 1024
)

// userIdentityTypes maps the closed set of user_identities keys to identity
// types (the guide spells customer_id as customerid; both are accepted).
var userIdentityTypes = map[string]string{
	"customer_id": "customerid", "customerid": "customerid", "email": "email", "other": "other",
	"other_id_2": "other_id_2", "other_id_3": "other_id_3", "other_id_4": "other_id_4", "other_id_5": "other_id_5",
	"other_id_6": "other_id_6", "other_id_7": "other_id_7", "other_id_8": "other_id_8", "other_id_9": "other_id_9",
	"other_id_10": "other_id_10", "mobile_number": "mobile_number", "phone_number_2": "phone_number_2",
	"phone_number_3": "phone_number_3", "facebook": "facebook", "twitter": "twitter", "google": "google",
	"microsoft": "microsoft", "yahoo": "yahoo", "alias": "alias", "facebook_custom_audience_id": "facebook_custom_audience_id",
}

// deviceIdentityTypes maps device_info fields that identify a device to
// identity types; other device_info fields are kept but identify nothing.
var deviceIdentityTypes = map[string]string{
	"ios_advertising_id": "ios_idfa", "ios_idfv": "ios_idfv", "android_advertising_id": "android_aaid",
	"android_uuid": "android_uuid", "push_token": "push_token", "device_application_stamp": "device_application_stamp",
	"roku_advertising_id": "roku_aid", "roku_publisher_id": "roku_publisher_id", "fire_advertising_id": "fire_aid",
	"microsoft_advertising_id": "microsoft_aid", "microsoft_publisher_id": "microsoft_publisher_id",
}

// Batch is a decoded, valid batch, ready to stage.
type Batch struct {
	// Time is timestamp_unixtime_ms, else the latest event's time, else
	// zero (the reader then uses the time it read the batch).
	Time            time.Time
	MPID            int64 // 0: none
	SourceRequestID string
	BatchID         string
	// Identities are the batch's identities, one per type, in type order
	// (values as sent; staging normalises).
	Identities []Identity
	// Attributes are user_attributes as sent (values keep their JSON type;
	// null is a value).
	Attributes map[string]json.RawMessage
	Deleted    []string
	Events     []Event
}

// null is the attributes of an event that has none (shared: never
// written to).
var null = json.RawMessage("null")[:4:4]

// Event is one event of a batch.
type Event struct {
	ID         string // source_message_id, else "<batch>:<index>"
	Type       string // event_type
	Name       string // data.event_name (or the type for events without one)
	Time       time.Time
	Attributes json.RawMessage // data.custom_attributes (null when none)
}

// Error is a batch that fails validation: Reason is the dropped_rows reason
// and Msg says what and where.
type Error struct {
	Reason string
	Msg    string
}

func (e *Error) Error() string { return e.Reason + ": " + e.Msg }

func fail(reason, format string, args ...any) *Error {
	return &Error{Reason: reason, Msg: fmt.Sprintf(format, args...)}
}

// wire is the batch as sent, its events left for a second pass; unknown
// fields are ignored here and kept in the raw line by the caller. The
// fast decoder hands its fields' UnmarshalJSON methods (json.RawMessage's)
// the line's own bytes, which strings of this batch and of others share:
// such a method copies them, never writes to them.
type wire struct {
	head
	Events *json.RawMessage `json:"events"`
}

// head is what a batch holds besides its events.
type head struct {
	UserIdentities map[string]json.RawMessage `json:"user_identities"`
	UserAttributes map[string]json.RawMessage `json:"user_attributes"`
	Deleted        []json.RawMessage          `json:"deleted_user_attributes"`
	DeviceInfo     map[string]json.RawMessage `json:"device_info"`
	MPID           json.RawMessage            `json:"mpid"`
	Environment    *string                    `json:"environment"`
	RequestID      json.RawMessage            `json:"source_request_id"`
	Timestamp      json.RawMessage            `json:"timestamp_unixtime_ms"`
	BatchID        json.RawMessage            `json:"batch_id"`
}

type wireEvent struct {
	EventType *string                    `json:"event_type"`
	Data      map[string]json.RawMessage `json:"data"`
}

// Decode validates one batch. id names it for event ids when it carries no
// batch_id or source_request_id (e.g. "web/part-1.ndjson:12").
//
// It decodes in one pass with a fast decoder (fast.go); a batch that pass
// refuses is decoded again by decodeReference, the definition, whose
// encoding/json errors say what and where. FuzzDecodeMatchesReference
// holds the two to the same answers.
func Decode(line []byte, id string) (*Batch, error) {
	if len(line) <= MaxBatchBytes {
		if b, ok := decodeFast(string(line), id); ok {
			return b, nil
		}
	}
	return decodeReference(line, id)
}

// DecodeString is Decode of a line held as a string, which some of the
// batch's strings share instead of copying (a reader that keeps many
// lines in one string saves a copy of each line).
func DecodeString(line, id string) (*Batch, error) {
	if len(line) > MaxBatchBytes {
		return nil, tooLarge(len(line))
	}
	if b, ok := decodeFast(line, id); ok {
		return b, nil
	}
	return decodeReference([]byte(line), id)
}

func tooLarge(n int) error {
	return fail("batch_too_large", "the batch is %d bytes; the limit is %d", n, MaxBatchBytes)
}

// decodeReference is Decode with encoding/json, events in a second pass.
func decodeReference(line []byte, id string) (*Batch, error) {
	if len(line) > MaxBatchBytes {
		return nil, tooLarge(len(line))
	}
	if !utf8.Valid(line) {
		return nil, fail("invalid_utf8", "the batch is not valid UTF-8")
	}
	var w wire
	if err := strictUnmarshal(line, &w); err != nil {
		return nil, err
	}
	b, eventID, err := fromHead(w.head, id)
	if err != nil {
		return nil, err
	}
	if err := b.events(w.Events, eventID); err != nil {
		return nil, err
	}
	return b, nil
}

// fromHead checks and converts what both decoders read alike, all but the
// events; it returns the id their event ids derive from.
func fromHead(w head, id string) (*Batch, string, error) {
	b := &Batch{Attributes: w.UserAttributes}
	if err := checkEnvironment(w.Environment); err != nil {
		return nil, "", err
	}
	if err := b.identities(w); err != nil {
		return nil, "", err
	}
	if err := checkAttributes(w.UserAttributes); err != nil {
		return nil, "", err
	}
	for i, d := range w.Deleted {
		var key string
		if unquote(d, &key) != nil || key == "" || len(key) > MaxKeyLength {
			return nil, "", fail("invalid_deleted_attribute", "deleted_user_attributes[%d] must be a key: a string of 1 to %d characters", i, MaxKeyLength)
		}
		b.Deleted = append(b.Deleted, key)
	}
	var err error
	if b.MPID, err = parseInt(top("mpid"), w.MPID); err != nil {
		return nil, "", err
	}
	if b.SourceRequestID, err = parseString(top("source_request_id"), w.RequestID); err != nil {
		return nil, "", err
	}
	if b.BatchID, err = parseString(top("batch_id"), w.BatchID); err != nil {
		return nil, "", err
	}
	ms, err := parseInt(top("timestamp_unixtime_ms"), w.Timestamp)
	if err != nil {
		return nil, "", err
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
	return b, eventID, nil
}

// strictUnmarshal decodes into w and explains a syntax error by position.
func strictUnmarshal(line []byte, w *wire) error {
	trimmed := bytes.TrimSpace(line)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		if json.Valid(trimmed) {
			return fail("not_an_object", "a batch is a JSON object")
		}
	}
	err := json.Unmarshal(line, w)
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se):
		at := max(se.Offset-1, 0) // Offset counts the bytes read, the bad one included
		return fail("invalid_json", "%v at byte %d (line %d, column %d)", se, at, lineOf(line, at), colOf(line, at))
	case errors.As(err, &te):
		return fail("invalid_field", "%s must be %s, not a JSON %s", te.Field, kindOf(te.Type.Kind().String()), te.Value)
	}
	return fail("invalid_json", "%v", err)
}

func lineOf(b []byte, off int64) int { return bytes.Count(b[:min(int(off), len(b))], []byte("\n")) + 1 }

func colOf(b []byte, off int64) int {
	off = min(off, int64(len(b)))
	return int(off) - bytes.LastIndexByte(b[:off], '\n')
}

func kindOf(k string) string {
	switch k {
	case "map", "struct":
		return "an object"
	case "slice":
		return "a list"
	case "string":
		return "a string"
	}
	return "a " + k
}

func checkEnvironment(env *string) error {
	switch {
	case env == nil:
		return fail("missing_environment", `environment is required: "production" or "development"`)
	case *env != "production" && *env != "development":
		return fail("invalid_environment", `environment is %q; it must be "production" or "development"`, *env)
	}
	return nil
}

func checkAttributes(attrs map[string]json.RawMessage) error {
	for key, raw := range attrs {
		if key == "" || len(key) > MaxKeyLength {
			return fail("attribute_key_too_long", "user_attributes key %.40q… is %d characters; keys are 1 to %d", key, len(key), MaxKeyLength)
		}
		switch raw[0] {
		case '{':
			return fail("invalid_attribute_value", "user_attributes.%s is an object; values are strings, numbers, booleans, null or lists of strings", key)
		case '[':
			var list []*string
			if json.Unmarshal(raw, &list) != nil {
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
			var s string
			json.Unmarshal(raw, &s)
			if len(s) > MaxValueLength {
				return fail("attribute_value_too_long", "user_attributes.%s is %d characters; the limit is %d", key, len(s), MaxValueLength)
			}
		}
	}
	return nil
}

func (b *Batch) events(raw *json.RawMessage, batchID string) error {
	if raw == nil || string(*raw) == "null" {
		return nil
	}
	var events []wireEvent
	if err := json.Unmarshal(*raw, &events); err != nil {
		return fail("invalid_events", "events must be a list of event objects: %v", err)
	}
	return b.addEvents(events, batchID)
}

// addEvents checks and keeps decoded events; batchID prefixes the ids of
// those without a source_message_id.
func (b *Batch) addEvents(events []wireEvent, batchID string) error {
	b.Events = slices.Grow(b.Events, len(events))
	for i, we := range events {
		if we.EventType == nil || *we.EventType == "" {
			return fail("invalid_events", "events[%d] has no event_type", i)
		}
		e := Event{Type: *we.EventType, Attributes: null}
		if name, err := parseString(eventData(i, "event_name"), we.Data["event_name"]); err != nil {
			return err
		} else if name != "" {
			e.Name = name
		} else {
			e.Name = e.Type
		}
		if id, err := parseString(eventData(i, "source_message_id"), we.Data["source_message_id"]); err != nil {
			return err
		} else if id != "" {
			e.ID = id
		} else {
			e.ID = batchID + ":" + strconv.Itoa(i)
		}
		ms, err := parseInt(eventData(i, "timestamp_unixtime_ms"), we.Data["timestamp_unixtime_ms"])
		if err != nil {
			return err
		}
		if ms != 0 {
			e.Time = time.UnixMilli(ms).UTC()
		}
		if attrs := we.Data["custom_attributes"]; len(attrs) > 0 && string(attrs) != "null" {
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
