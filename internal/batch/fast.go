package batch

import (
	"unicode/utf8"

	"github.com/bytedance/sonic"
)

// fastWire is a whole batch, events included, read in one pass.
type fastWire struct {
	head
	Events *[]wireEvent `json:"events"`
}

// decoder is sonic configured as encoding/json decodes: strings checked
// (control characters refused). Those it decodes as strings (map keys,
// environment, event_type) are not copied but share the line, a string,
// never written to; json.RawMessage values are copies.
var decoder = sonic.Config{ValidateString: true}.Froze()

// decodeFast is decodeReference in one pass with sonic (about 3× faster
// on generated batches). ok is false when it refuses the batch for any
// reason, or panics on it (a defect of sonic's must not end a run); the
// reference then says why, in encoding/json's words.
func decodeFast(line, id string) (b *Batch, ok bool) {
	if len(line) > MaxBatchBytes || !utf8.ValidString(line) {
		return nil, false
	}
	defer func() {
		if recover() != nil {
			b, ok = nil, false
		}
	}()
	var w fastWire
	if decoder.UnmarshalFromString(line, &w) != nil {
		return nil, false
	}
	b, eventID, err := fromHead(w.head, id)
	if err != nil {
		return nil, false
	}
	if w.Events != nil {
		if b.addEvents(*w.Events, eventID) != nil {
			return nil, false
		}
	}
	return b, true
}
