package batch

import (
	"strings"
	"unicode/utf8"
)

// Decoder decodes batches one after another and reuses its memory: the
// batch DecodeString returns is valid until the next call, and its lists
// may be empty where a fresh decode's are nil. Not safe for concurrent
// use; the zero Decoder is ready.
type Decoder struct {
	h head
	b Batch
}

// DecodeString is Decode of a line held as a string, which the batch's
// strings share instead of copying (a reader that keeps many lines in one
// string saves a copy of each line), into the decoder's batch when the
// one pass reads it (most batches: no allocation but for strings that
// hold escapes).
func (d *Decoder) DecodeString(line, id string) (*Batch, error) {
	if len(line) > MaxBatchBytes {
		return nil, tooLarge(len(line))
	}
	if d.fast(line, id) {
		return &d.b, nil
	}
	return decodeReference([]byte(line), id)
}

// fast reads a valid batch in one pass (scanner), events included, into
// d.b. It is false when the scanner gives up or the batch is not valid:
// the reference then decides, and says why.
func (d *Decoder) fast(line, id string) bool {
	if len(line) > MaxBatchBytes || !utf8.ValidString(line) {
		return false
	}
	d.h.reset()
	sc := scanner{s: line}
	return sc.batch(&d.h) && d.h.batch(&d.b, id) == nil
}

// decodeFast is Decoder.fast into a batch of its own.
func decodeFast(line, id string) (*Batch, bool) {
	var d Decoder
	if !d.fast(line, id) {
		return nil, false
	}
	return &d.b, true
}

// The fields of a batch and of an event that the scanner reads; any other
// is read and skipped.
var (
	batchFields = [...]string{"user_identities", "user_attributes", "deleted_user_attributes", "device_info",
		"mpid", "environment", "source_request_id", "timestamp_unixtime_ms", "batch_id", "events"}
	eventFields = [...]string{"event_type", "data"}
)

// fieldIndex tells which of fields key names: its index, -1 for none, or
// -2 when it may name one in another case, which encoding/json matches
// (with Unicode's folding: the scanner leaves such keys to it).
func fieldIndex(fields []string, key string) int {
	for i, f := range fields {
		if key == f {
			return i
		}
	}
	for i := 0; i < len(key); i++ {
		if key[i] >= utf8.RuneSelf {
			return -2
		}
	}
	for _, f := range fields {
		if strings.EqualFold(key, f) {
			return -2
		}
	}
	return -1
}

// field reads the key of a member of an object read into a struct and
// tells which of fields it names (-1: none). It is not ok where the
// scanner leaves the batch to the reference: a key with an escape, one
// that may name a field in another case, a field sent twice (seen marks
// those read).
func (sc *scanner) field(fields []string, seen *uint32) (int, bool) {
	key, escaped, ok := sc.key()
	f := fieldIndex(fields, key)
	if !ok || escaped || f == -2 || f >= 0 && *seen&(1<<f) != 0 {
		return 0, false
	}
	if f >= 0 {
		*seen |= 1 << f
	}
	return f, true
}

// optionalText reads a string or null (present false), as encoding/json
// reads one into a *string.
func (sc *scanner) optionalText() (v string, present, ok bool) {
	if sc.null() {
		return "", false, true
	}
	v, ok = sc.text()
	return v, true, ok
}

// batch reads a whole batch into h: one object, then only whitespace.
func (sc *scanner) batch(h *head) bool {
	var seen uint32
	more, ok := sc.enter('{', '}')
	for ok && more {
		f, fok := sc.field(batchFields[:], &seen)
		if !fok {
			return false
		}
		switch f {
		case 0:
			h.identities, ok = sc.object(h.identities)
		case 1:
			h.attributes, ok = sc.object(h.attributes)
		case 2:
			h.deleted, ok = sc.list(h.deleted)
		case 3:
			h.device, ok = sc.object(h.device)
		case 4:
			h.mpid, ok = sc.value()
		case 5:
			h.environment, h.hasEnvironment, ok = sc.optionalText()
		case 6:
			h.requestID, ok = sc.value()
		case 7:
			h.timestamp, ok = sc.value()
		case 8:
			h.batchID, ok = sc.value()
		case 9:
			ok = sc.events(h)
		default:
			ok = sc.skip()
		}
		if !ok {
			return false
		}
		more, ok = sc.next('}')
	}
	sc.ws()
	return ok && sc.i == len(sc.s)
}

// events reads a batch's events (null: none). An event that is null or
// not an object is left to the reference.
func (sc *scanner) events(h *head) bool {
	if sc.null() {
		return true
	}
	more, ok := sc.enter('[', ']')
	for ok && more {
		h.events = append(h.events, wireEvent{})
		if !sc.event(&h.events[len(h.events)-1]) {
			return false
		}
		more, ok = sc.next(']')
	}
	return ok
}

func (sc *scanner) event(e *wireEvent) bool {
	var seen uint32
	more, ok := sc.enter('{', '}')
	for ok && more {
		f, fok := sc.field(eventFields[:], &seen)
		if !fok {
			return false
		}
		switch f {
		case 0:
			e.typ, e.hasType, ok = sc.optionalText()
		case 1:
			ok = sc.data(e)
		default:
			ok = sc.skip()
		}
		if !ok {
			return false
		}
		more, ok = sc.next('}')
	}
	return ok
}

// data reads an event's data as encoding/json reads it into a map: keys
// as they are, a key sent twice keeps its last value.
func (sc *scanner) data(e *wireEvent) bool {
	if sc.null() {
		return true
	}
	more, ok := sc.enter('{', '}')
	for ok && more {
		key, escaped, kok := sc.key()
		if !kok || escaped {
			return false
		}
		var raw string
		if raw, ok = sc.value(); !ok {
			return false
		}
		switch key {
		case "event_name":
			e.name = raw
		case "source_message_id":
			e.id = raw
		case "timestamp_unixtime_ms":
			e.ts = raw
		case "custom_attributes":
			e.attributes = raw
		}
		more, ok = sc.next('}')
	}
	return ok
}
