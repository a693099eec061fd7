package ingest

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/google/uuid"
)

// withRequestID returns a compacted batch object with a source_request_id
// when it has none (clients such as mParticle's Node SDK send none), so a
// batch read twice is still counted once. id is the one the decoder read.
//
// A batch may name the field and still have none (null or ""): those
// members go, since the decoder keeps the last of repeated keys and would
// read the client's empty one over the id given here, and forwarded text
// should not repeat a key.
func withRequestID(obj []byte, id string) []byte {
	if id != "" {
		return obj
	}
	out := make([]byte, 0, len(obj)+64)
	out = append(out, `{"source_request_id":"`+uuid.NewString()+`"`...)
	for m := range members(obj) {
		if !isRequestID(m[:stringLen(m)]) {
			out = append(out, ',')
			out = append(out, m...)
		}
	}
	return append(out, '}')
}

// isRequestID tells whether key, a member's key as JSON text, names
// source_request_id as encoding/json (the decoder's reference) matches
// it: unescaped, in any case (its fold is bytes.EqualFold's).
func isRequestID(key []byte) bool {
	const name = "source_request_id"
	if bytes.IndexByte(key, '\\') < 0 {
		return bytes.EqualFold(key[1:len(key)-1], []byte(name))
	}
	var k string
	return json.Unmarshal(key, &k) == nil && strings.EqualFold(k, name)
}

// members yields the members ("key":value) of obj, a valid, compact JSON
// object, as its own bytes.
func members(obj []byte) func(yield func([]byte) bool) {
	return func(yield func([]byte) bool) {
		for i := 1; i < len(obj)-1; {
			end := valueEnd(obj, i+stringLen(obj[i:])+1)
			if !yield(obj[i:end]) {
				return
			}
			i = end + 1 // past the comma
		}
	}
}

// stringLen is the length of the JSON string b starts with.
func stringLen(b []byte) int {
	for i := 1; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// valueEnd is where the compact JSON value starting at b[i] ends: the
// comma or closing brace after it.
func valueEnd(b []byte, i int) int {
	depth := 0
	for ; i < len(b); i++ {
		switch b[i] {
		case '"':
			i += stringLen(b[i:]) - 1
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i
			}
			depth--
		case ',':
			if depth == 0 {
				return i
			}
		}
	}
	return i
}
