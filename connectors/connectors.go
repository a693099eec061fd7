// Package connectors defines how mosaic talks to the outside world: the
// Source interface that feeds read through, the Destination interface that
// outputs deliver through, and one explicit Registry of connector kinds.
// Connectors never import the engine: a source hands its rows to a Sink,
// and a destination is handed its records.
package connectors

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/mosaic-cdp/mosaic/internal/config"
)

// Source reads one feed's new rows. Per feed and run the engine calls:
//
//  1. Validate, before anything runs (also by `mosaic validate`); then,
//     for a Source that is also a SourceEnvChecker, CheckEnv, before the
//     run stages any feed (also by `mosaic validate`, `check`, `schedule`
//     and `serve`);
//  2. Read, once, inside the run's transaction. Read hands rows to the sink
//     and returns the source's new state, which commits with the run and is
//     given back as ReadRequest.State next run.
//
// A Source holds no state between calls; it is safe to use for many feeds.
type Source interface {
	// Validate decodes and checks the feed's `source:` block. Errors name
	// file:line:col (config.Raw.Decode and config.Raw.Errorf do that). It
	// reads no environment variable and no key file: Read reads them, and
	// a SourceEnvChecker checks them apart, so that the file can be
	// validated where the secrets are not.
	Validate(req ValidateRequest) error
	// Read stages the rows that are new since req.State. A row the source
	// cannot parse goes to sink.Dropped with a reason; it never fails the
	// read. Read returns an error only when the feed cannot be read at all.
	// A source that reads in more than one way names the way that ran in
	// its state's "path" key (a string); the run's stats show it as the
	// feed's read_path.
	Read(ctx context.Context, req ReadRequest, sink Sink) (json.RawMessage, error)
}

// ValidateRequest is what Validate may look at.
type ValidateRequest struct {
	Feed   string
	Source config.Source
	// Resolve makes a path in the pipeline file absolute.
	Resolve func(path string) string
	// Store is the profile store's path (absolute), next to which a source
	// may keep files of its own (the Events API's landing log).
	Store string
}

// ReadRequest is one feed's read in one run.
type ReadRequest struct {
	ValidateRequest
	// Columns are the source columns the feed maps; deliver at least these
	// (more are ignored). Names are as in the source.
	Columns []string
	// Cursor is the feed's cursor column ("" for none) and Watermark its
	// last committed value as text ("" for none). A source that can filter
	// `cursor > watermark` at the source should; the engine filters again.
	Cursor, Watermark string
	// State is what the last committed Read returned; nil on the first run
	// and on --full-refresh.
	State json.RawMessage
	// Cores is how many cores the source may keep busy decoding; 0 means
	// all of them (GOMAXPROCS).
	Cores int
	// Background asks the source to decode on threads of lowered priority
	// (package background): a server's run, whose requests come first.
	Background bool
	// RawBatches says which batches a `format: batch` source hands over
	// with their raw text.
	RawBatches RawBatches
	// Judge tells what staging makes of a `format: batch` row's identity
	// (nil: nothing is sure). A source hands over each identity it is sure
	// of as judged, and the others as sent (see Judgement).
	Judge Judge
	// Warn, when set, is told what a read left for a later run that its
	// user should know of (a last line without its newline, held back),
	// one message at a time; the run reports them with the feed.
	Warn func(msg string)
}

// RawBatches says which batches a `format: batch` source hands over with
// their raw text (column batch, null for the others). The engine stores
// the text of the batches it keeps only for an events output, and that of
// each batch it drops whole, which a source cannot always tell ahead: a
// repeated source_request_id (duplicate_batch), or no identity left after
// staging's trimming, blocklist and length limit, and no mpid
// (no_identity). A source hands over at least these (a batch without
// mpid and without an identity that the Judge surely calls usable), and
// may hand over more.
type RawBatches struct {
	// All asks for every batch's text (the pipeline has an events output).
	All bool
}

// Judgement is staging's verdict on one identity of a batch: the value as
// matched and whether the blocklist or the length limit keeps it out.
type Judgement struct {
	// Value is trimmed of surrounding white space, e-mail lower-cased
	// unless case-sensitive; "" when nothing is left (no identity).
	Value   string
	Blocked bool // matches a blocklist pattern of its type or of every type
	Long    bool // longer than the identity length limit
}

// Usable tells whether staging keeps the identity.
func (j Judgement) Usable() bool { return j.Value != "" && !j.Blocked && !j.Long }

// Bits is the verdict as a batch source stages it beside the value
// (column j of an identity, which sql/batch/identities.sql.tmpl reads):
// 1 blocklisted, 2 too long.
func (j Judgement) Bits() int8 {
	var bits int8
	if j.Blocked {
		bits |= 1
	}
	if j.Long {
		bits |= 2
	}
	return bits
}

// Judge judges an identity given its type and its value as sent; false
// when it is not sure (the engine then judges the value itself).
type Judge func(identityType, value string) (Judgement, bool)

// Sink receives a feed's rows inside the run's transaction. Rows keep the
// order in which they are handed over: that order is the feed's row order.
// Every method may be called any number of times.
type Sink interface {
	// Arrow stages a stream of record batches whose columns include the
	// request's Columns, and optionally _origin (utf8: where the row came
	// from). The stream is read to its end.
	Arrow(ctx context.Context, r array.RecordReader) error
	// Query stages the rows of a DuckDB query, for sources DuckDB reads
	// itself (files); same columns as Arrow.
	Query(ctx context.Context, query string) error
	// Dropped records rows that could not be parsed: the DuckDB query
	// yields (reason VARCHAR, row JSON).
	Dropped(ctx context.Context, query string) error
	// DroppedRecords records rows that could not be parsed, given as Arrow
	// record batches of (reason utf8, row utf8 holding JSON).
	DroppedRecords(ctx context.Context, r array.RecordReader) error
	// Temp materialises a DuckDB query into a temporary table that lives
	// until the feed is staged, and returns its name (quoted), so that a
	// source can split one read into kept and dropped rows.
	Temp(ctx context.Context, query string) (string, error)
}

// Registry maps a `kind:` to its connector. It is built explicitly (see
// package builtin): no init() side effects.
type Registry struct {
	sources      map[string]Source
	destinations map[string]Destination
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{sources: map[string]Source{}, destinations: map[string]Destination{}}
}

// RegisterSource adds a source kind; registering a kind twice panics.
func (r *Registry) RegisterSource(kind string, s Source) {
	if _, dup := r.sources[kind]; dup {
		panic(fmt.Sprintf("connectors: source kind %q registered twice", kind))
	}
	r.sources[kind] = s
}

// RegisterDestination adds an output kind; registering a kind twice
// panics.
func (r *Registry) RegisterDestination(kind string, d Destination) {
	if _, dup := r.destinations[kind]; dup {
		panic(fmt.Sprintf("connectors: destination kind %q registered twice", kind))
	}
	r.destinations[kind] = d
}

// SourceKinds lists the registered source kinds, sorted.
func (r *Registry) SourceKinds() []string { return slices.Sorted(maps.Keys(r.sources)) }

// DestinationKinds lists the registered output kinds, sorted.
func (r *Registry) DestinationKinds() []string { return slices.Sorted(maps.Keys(r.destinations)) }

// Destination returns the destination for kind, or an error listing the
// known kinds.
func (r *Registry) Destination(kind string) (Destination, error) {
	d, ok := r.destinations[kind]
	if !ok {
		return nil, fmt.Errorf("unknown output kind %q (this build has: %s)", kind, strings.Join(r.DestinationKinds(), ", "))
	}
	return d, nil
}

// Source returns the source for kind, or an error listing the known kinds.
func (r *Registry) Source(kind string) (Source, error) {
	s, ok := r.sources[kind]
	if !ok {
		return nil, fmt.Errorf("unknown source kind %q (this build has: %s)", kind, strings.Join(r.SourceKinds(), ", "))
	}
	return s, nil
}
