package batch

import (
	"encoding/json"
	"strconv"
	"strings"
)

// field names a field in an error: a batch's own (event < 0), or one of
// the data of its events[event]. Errors build the name only when they
// happen (a valid batch costs no allocation for it).
type field struct {
	event int
	name  string
}

func top(name string) field              { return field{event: -1, name: name} }
func eventData(i int, name string) field { return field{event: i, name: name} }

func (f field) String() string {
	if f.event < 0 {
		return f.name
	}
	return "events[" + strconv.Itoa(f.event) + "].data." + f.name
}

// parseInt reads an integer sent as a JSON number or a string of digits
// (the Events API accepts both for mpid); null or absent is 0. A string
// holds what a JSON integer may: an optional minus sign and digits, not
// the plus sign strconv also takes.
func parseInt(f field, raw string) (int64, error) {
	if raw == "" || raw == "null" {
		return 0, nil
	}
	digits := raw
	if n := len(raw); n >= 2 && raw[0] == '"' && raw[n-1] == '"' {
		digits = raw[1 : n-1]
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || digits[0] == '+' || (f.name != "mpid" && n < 0) {
		return 0, fail("invalid_"+strings.TrimSuffix(f.name, "_unixtime_ms"), "%s must be an integer, got %s", f, raw)
	}
	return n, nil
}

func parseString(f field, raw string) (string, error) {
	if raw == "" || raw == "null" {
		return "", nil
	}
	if s, err := unquote(raw); err == nil {
		return s, nil
	}
	if _, err := strconv.ParseInt(raw, 10, 64); err == nil {
		return raw, nil // batch_id is a number in the API
	}
	return "", fail("invalid_field", "%s must be a string, got %s", f, raw)
}

// unquote is json.Unmarshal of raw JSON into a string, without its cost
// for a string with no escape in it (the line is valid UTF-8 and the raw
// value came from a decoder, so such a string's bytes are its value, and
// a part of the line).
func unquote(raw string) (string, error) {
	if n := len(raw); n >= 2 && raw[0] == '"' && raw[n-1] == '"' && strings.IndexByte(raw[1:n-1], '\\') < 0 {
		return raw[1 : n-1], nil
	}
	var s string
	err := json.Unmarshal([]byte(raw), &s)
	return s, err
}
