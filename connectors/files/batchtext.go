package files

import (
	"bytes"
	"hash/maphash"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/internal/batch"
)

// batchText decides which batches a feed's read hands over with their raw
// text (see connectors.RawBatches): copying every batch's text into the
// store doubled the bytes staged, for rows that only ever need it when an
// events output forwards them or when they are dropped whole. It lives
// for one read of a feed (all its files, in order): it remembers the
// source_request_ids the read has passed, as hashes, so that a repeated
// one (the engine drops it as duplicate_batch) keeps its text. A hash
// collision only keeps one text more.
type batchText struct {
	connectors.RawBatches
	seed maphash.Seed
	seen map[uint64]struct{}
}

func newBatchText(r connectors.RawBatches) *batchText {
	return &batchText{RawBatches: r, seed: maphash.MakeSeed(), seen: map[uint64]struct{}{}}
}

// needs tells whether b's text is kept whatever its request id: every
// batch's when All, else that of a batch with no mpid and no identity
// surely Usable (the engine may drop it as no_identity).
func (t *batchText) needs(b *batch.Batch) bool {
	if t.All {
		return true
	}
	if b.MPID != 0 {
		return false
	}
	if t.Usable != nil {
		for typ, v := range b.Identities {
			if t.Usable(typ, v) {
				return false
			}
		}
	}
	return true
}

// hash is a request id's key in seen (0: none).
func (t *batchText) hash(requestID string) uint64 {
	if requestID == "" {
		return 0
	}
	return maphash.String(t.seed, requestID) | 1
}

// pass runs over a decoded chunk in read order: it records the chunk's
// request ids and gives the text to each batch whose id the read passed
// before (in this chunk or an earlier one), rebuilding the record's batch
// column when one lacked it.
func (t *batchText) pass(c *chunk) {
	if t.All {
		return
	}
	var repeated []int
	for i, h := range c.hashes {
		if h == 0 {
			continue
		}
		if _, ok := t.seen[h]; ok {
			repeated = append(repeated, i)
		} else {
			t.seen[h] = struct{}{}
		}
	}
	col := c.kept.Column(batchColumn).(*array.String)
	missing := repeated[:0:0]
	for _, i := range repeated {
		if col.IsNull(i) {
			missing = append(missing, i)
		}
	}
	if len(missing) == 0 {
		return
	}
	sb := array.NewStringBuilder(memory.NewGoAllocator())
	defer sb.Release()
	for i := range col.Len() {
		switch {
		case col.IsValid(i):
			sb.Append(col.Value(i))
		case len(missing) > 0 && missing[0] == i:
			sb.Append(string(bytes.TrimSpace(c.lines[c.keptLines[i]])))
			missing = missing[1:]
		default:
			sb.AppendNull()
		}
	}
	text := sb.NewArray()
	defer text.Release()
	cols := make([]arrow.Array, c.kept.NumCols())
	copy(cols, c.kept.Columns())
	cols[batchColumn] = text
	rec := array.NewRecordBatch(batchSchema, cols, c.kept.NumRows())
	c.kept.Release()
	c.kept = rec
}
