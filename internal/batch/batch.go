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

// userIdentityKeys spells the user identity types whose stored spelling
// is not the Events API's (userIdentityTypes reads both).
var userIdentityKeys = map[string]string{"customerid": "customer_id"}

// IdentityField returns where an Events API batch carries identity type
// typ, the reverse of what Decode reads: the object (user_identities or
// device_info) and the key in it. ok is false for a type no batch carries.
func IdentityField(typ string) (object, key string, ok bool) {
	if k, ok := userIdentityKeys[typ]; ok {
		return "user_identities", k, true
	}
	if t, ok := userIdentityTypes[typ]; ok && t == typ {
		return "user_identities", typ, true
	}
	for k, t := range deviceIdentityTypes {
		if t == typ {
			return "device_info", k, true
		}
	}
	return "", "", false
}

// Batch is a decoded, valid batch, ready to stage. Its strings may share
// the line's memory (DecodeString, Decoder).
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
	// Attributes are user_attributes as sent, in key order (values keep
	// their JSON type; null is a value).
	Attributes []Attribute
	Deleted    []string
	Events     []Event
}

// Attribute is one user attribute of a batch: its key and its value's
// JSON text.
type Attribute struct{ Key, Value string }

// Event is one event of a batch.
type Event struct {
	ID         string // source_message_id, else "<batch>:<index>"
	Type       string // event_type
	Name       string // data.event_name (or the type for events without one)
	Time       time.Time
	Attributes string // data.custom_attributes' JSON text ("null" when none)
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

// wire is the batch as encoding/json reads it, its events left for a
// second pass; unknown fields are ignored here and kept in the raw line by
// the caller.
type wire struct {
	UserIdentities map[string]json.RawMessage `json:"user_identities"`
	UserAttributes map[string]json.RawMessage `json:"user_attributes"`
	Deleted        []json.RawMessage          `json:"deleted_user_attributes"`
	DeviceInfo     map[string]json.RawMessage `json:"device_info"`
	MPID           json.RawMessage            `json:"mpid"`
	Environment    *string                    `json:"environment"`
	RequestID      json.RawMessage            `json:"source_request_id"`
	Timestamp      json.RawMessage            `json:"timestamp_unixtime_ms"`
	BatchID        json.RawMessage            `json:"batch_id"`
	Events         *json.RawMessage           `json:"events"`
}

type jsonEvent struct {
	EventType *string                    `json:"event_type"`
	Data      map[string]json.RawMessage `json:"data"`
}

// Decode validates one batch. id names it for event ids when it carries no
// batch_id or source_request_id (e.g. "web/part-1.ndjson:12").
//
// It decodes in one pass (scan.go, fast.go); a batch that pass does not
// take is decoded again by decodeReference, the definition, whose
// encoding/json errors say what and where. FuzzDecodeMatchesReference
// holds the two to the same answers.
func Decode(line []byte, id string) (*Batch, error) {
	var d Decoder
	return d.DecodeString(string(line), id)
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
	h := head{identities: members(w.UserIdentities), attributes: members(w.UserAttributes), device: members(w.DeviceInfo),
		mpid: string(w.MPID), requestID: string(w.RequestID), timestamp: string(w.Timestamp), batchID: string(w.BatchID)}
	if w.Environment != nil {
		h.environment, h.hasEnvironment = *w.Environment, true
	}
	for _, d := range w.Deleted {
		h.deleted = append(h.deleted, string(d))
	}
	if w.Events != nil && string(*w.Events) != "null" {
		var events []jsonEvent
		if err := json.Unmarshal(*w.Events, &events); err != nil {
			return nil, fail("invalid_events", "events must be a list of event objects: %v", err)
		}
		for _, e := range events {
			we := wireEvent{name: string(e.Data["event_name"]), id: string(e.Data["source_message_id"]),
				ts: string(e.Data["timestamp_unixtime_ms"]), attributes: string(e.Data["custom_attributes"])}
			if e.EventType != nil {
				we.typ, we.hasType = *e.EventType, true
			}
			h.events = append(h.events, we)
		}
	}
	b := new(Batch)
	if err := h.batch(b, id); err != nil {
		return nil, err
	}
	return b, nil
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
