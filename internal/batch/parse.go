package batch

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// parseInt reads an integer sent as a JSON number or a string of digits
// (the Events API accepts both for mpid); null or absent is 0.
func parseInt(field string, raw json.RawMessage) (int64, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, nil
	}
	s := strings.Trim(string(raw), `"`)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || (field != "mpid" && n < 0) {
		return 0, fail("invalid_"+strings.TrimSuffix(lastPart(field), "_unixtime_ms"), "%s must be an integer, got %s", field, raw)
	}
	return n, nil
}

func parseString(field string, raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if unquote(raw, &s) == nil {
		return s, nil
	}
	if _, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
		return string(raw), nil // batch_id is a number in the API
	}
	return "", fail("invalid_field", "%s must be a string, got %s", field, raw)
}

// unquote is json.Unmarshal into a string, without its cost for a string
// with no escape in it (the line is valid UTF-8 and the raw value came
// from a decoder, so such a string's bytes are its value).
func unquote(raw json.RawMessage, s *string) error {
	if n := len(raw); n >= 2 && raw[0] == '"' && raw[n-1] == '"' && bytes.IndexByte(raw[1:n-1], '\\') < 0 {
		*s = string(raw[1 : n-1])
		return nil
	}
	return json.Unmarshal(raw, s)
}

func lastPart(field string) string {
	if i := strings.LastIndexByte(field, '.'); i >= 0 {
		return field[i+1:]
	}
	return field
}
