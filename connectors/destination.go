package connectors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/config"
)

// Destination delivers one output's records somewhere. Per output the
// engine calls:
//
//  1. Validate, before anything runs (also by `mosaic validate`); then,
//     for a Destination that is also an EnvChecker, CheckEnv, before a
//     run stages anything (also by `mosaic validate`, `check` and `sync`);
//  2. for a Destination that is also a Refresher, RefreshAfter, once per
//     sync (dry runs too), when the sync plans what to send;
//  3. Open, once per sync that has records to send, after the run has
//     committed;
//  4. on the Writer Open returned: Write any number of times, one batch of
//     at most the output's batch size each, in order; or, for a Writer that
//     is also a Copier, Copy once with every record of the sync;
//  5. Writer.Close, once, whatever happened before.
//
// A dry run calls neither Open nor Write; it calls OpenValidate on a
// Destination that is also a Validator (below).
//
// The errors of Open, OpenValidate, Write and Copy (and a record's
// RecordError) say what failed and how to fix it, but not which output:
// the engine keeps them beside the output's name (output_runs,
// output_failures) and names it in a failed sync's error ("output crm:
// POST https://…: HTTP 500 …"). Validate's and CheckEnv's errors are
// positioned in the pipeline file, and name the output in their message.
//
// A Destination holds no state between calls; it is safe to use for many
// outputs. What a destination has acknowledged is kept by the engine, not
// by the destination; what else it must remember from one sync to the
// next (a cache of what an external service answered) it keeps in the
// OutputState the engine passes to Open.
type Destination interface {
	// Validate decodes and checks the output's kind-specific keys (url,
	// path, secret_env, …). Errors name file:line:col (config.Raw.Decode
	// and config.Raw.Errorf do that). It reads no environment variable:
	// Open reads them, and an EnvChecker checks them apart, so that the
	// file can be validated where the secrets are not.
	Validate(req OutputRequest) error
	// Open prepares a sync: it reads secrets from the environment (ReadEnv)
	// and builds clients. An error fails the output's sync (nothing is
	// sent).
	Open(ctx context.Context, req OutputRequest) (Writer, error)
}

// OutputRequest is what a destination may look at.
type OutputRequest struct {
	Output config.Output
	// Fields are the names of a record's fields, in the output's order
	// (set for Open; Validate gets none).
	Fields []string
	// Resolve makes a path in the pipeline file absolute.
	Resolve func(path string) string
	// State is the output's own key/value state, kept in the store
	// between syncs (set for Open; Validate and RefreshAfter get none).
	State OutputState
}

// Refresher is implemented by a Destination whose records lapse unless
// they are sent again (a segment membership with a TTL). The engine calls
// RefreshAfter once per sync, after Validate and before Open (a dry run
// too); a sync then sends again, as an add with its current payload, each
// record the output holds and should still hold whose last delivery is at
// least that old, alongside the sync's changes (counted as refreshed).
// 0 means never; an error fails the output's sync.
type Refresher interface {
	RefreshAfter(req OutputRequest) (time.Duration, error)
}

// OutputState is one output's key/value state, kept by the engine in its
// store (private, _mosaic.output_kv) from one sync to the next, for what a
// destination must remember besides what it acknowledged: a cache of an
// external service's answers, the time it last asked something. Keys and
// values are the destination's; an entry may carry a tag (a group its
// entries are dropped by together). It is not a place for secrets. The
// engine may drop it whole at any time (`mosaic forget` does, unless the
// destination is a StateForgetter): a destination must be able to build
// it again. Calls are made on the
// sync's goroutine, between or within Writes; each commits on return.
type OutputState interface {
	// Get returns the values of those keys that are set.
	Get(ctx context.Context, keys []string) (map[string]string, error)
	// Put sets entries (a later entry of a key wins).
	Put(ctx context.Context, entries []StateEntry) error
	// DropTagged deletes the entries tagged with one of tags and returns
	// how many it deleted.
	DropTagged(ctx context.Context, tags []string) (int64, error)
}

// StateForgetter is implemented by a Destination whose OutputState holds
// entries derived from identities (UID2 mappings of hashed e-mails).
// `mosaic forget` calls StateKeys, in its transaction, with the identities
// (type to values, types as stored) of the profile it erases, and deletes
// the keys it returns from the output's state. The state of an output
// whose destination is not one is emptied, as forget cannot tell which of
// its entries derive from the profile.
type StateForgetter interface {
	StateKeys(o config.Output, identities map[string][]string) ([]string, error)
}

// StateEntry is one entry of an OutputState.
type StateEntry struct {
	Key, Value string
	// Tag groups entries for DropTagged ("" for none).
	Tag string
}

// BatchSizer is implemented by a Destination whose outputs batch
// differently from the default (500 records a batch) when they set no
// batch_size.
type BatchSizer interface {
	DefaultBatchSize() int
}

// Validator is implemented by a Destination that can check records with
// the destination without applying them (Google's validateOnly): the
// destination answers as it would to the real request, and nothing
// changes there. On a dry run (`mosaic sync --dry-run`), per output whose
// destination is a Validator and which has records to send, the engine
// calls (and Open never):
//
//  1. OpenValidate, once, after the dry run has computed the records;
//  2. on the Writer OpenValidate returned: Write any number of times, the
//     batches a sync would Write, in order, with the contract of
//     Writer.Write (a *RecordError is a record the destination would
//     refuse), except that nothing is delivered;
//  3. Writer.Close, once, whatever happened before.
//
// What the check answers is reported, never recorded: a dry run writes no
// delivery state.
type Validator interface {
	// OpenValidate is Open for a check: it reads the same secrets (an
	// error names the environment variable to set) and returns a Writer
	// whose every request asks the destination to check it and apply
	// nothing.
	OpenValidate(ctx context.Context, req OutputRequest) (Writer, error)
}

// Writer delivers the batches of one sync. Close releases what Open took.
type Writer interface {
	// Write delivers b and returns one entry per record of b, in order:
	// nil when the destination acknowledged the record, else why it was
	// not (a *RecordError for a rejection of that record alone). Write
	// returns an error, and no per-record results, when it could deliver
	// nothing at all (the destination is down past every retry, ctx was
	// cancelled); every record of b then counts as failed.
	//
	// Write retries what can be retried (connection errors, timeouts, 429,
	// 5xx) itself, within ctx: the engine retries a failed record only at
	// the next sync, with its values of then.
	Write(ctx context.Context, b Batch) ([]error, error)
	Close() error
}

// Copier is implemented by a Writer that writes a whole sync at once with
// the store's own writer (files: DuckDB's COPY). The engine then calls Copy
// once, with every record of the sync, instead of Write.
type Copier interface {
	// Copy writes the sync's records and returns once they are where a
	// reader finds them (the file renamed into place). Every record counts
	// as acknowledged when it returns nil, as failed when it returns an
	// error.
	Copy(ctx context.Context, c CopyRequest) error
}

// CopyRequest is one sync's records, for a Copier.
type CopyRequest struct {
	Output        string
	RunID, SyncID int64
	// Count is how many records there are (at least one).
	Count int64
	// Fields are the record's field names, in the output's order.
	Fields []string
	// To writes the records to path in format ("ndjson", "csv" or
	// "parquet"): one row per record, with columns op and key, then one
	// column per field.
	To func(ctx context.Context, path, format string) error
}

// Batch is the records of one Write.
type Batch struct {
	Output string
	// RunID is the run whose committed store the records come from.
	RunID   int64
	Records []Record
}

// Record operations.
const (
	OpUpsert = "upsert" // a profile record added or changed
	OpAdd    = "add"    // a profile entered an audience (or its identities changed)
	OpRemove = "remove" // a record this output delivered left its set
	// OpForward is an events output's record: one batch to forward, whose
	// Fields are the batch (mParticle Events API JSON).
	OpForward = "forward"
)

// Record is one record to deliver.
type Record struct {
	Op  string
	Key string
	// Fields is a JSON object of the record's fields. Under `nulls: skip`
	// fields whose value is null are left out (never from an events
	// output's batch, which goes with every field it had).
	Fields json.RawMessage
	// IdempotencyKey is the same for every attempt at one delivery (an
	// output's key, operation and payload) until one is acknowledged: a
	// receiver can drop a record it has seen with the same key (a resend
	// after a lost acknowledgement). A later delivery of an equal payload,
	// after another one was delivered, and a refresh (Refresher) carry
	// keys of their own.
	IdempotencyKey string
	// Forget marks a remove owed to a data-subject deletion (`mosaic
	// forget`): it is sent whatever the output's mode, and a destination
	// that can say so (a webhook's op "forget") does.
	Forget bool
}

// RecordError is a destination's rejection of one record: the record is
// recorded in output_failures and sent again, with its values of then, at
// the next sync.
type RecordError struct {
	// Status is the destination's code for the rejection (an HTTP status,
	// or the platform's error code), when it has one.
	Status int
	Msg    string
}

func (e *RecordError) Error() string { return e.Msg }

// IsRecordError reports whether err is a rejection of one record.
func IsRecordError(err error) bool {
	var re *RecordError
	return errors.As(err, &re)
}

// AudienceIdentities reads an audience record's identities (type → values)
// for a destination of kind, which takes only add and remove records; a
// record it cannot read is a *RecordError.
func AudienceIdentities(kind string, r Record) (map[string][]string, error) {
	if r.Op != OpAdd && r.Op != OpRemove {
		return nil, &RecordError{Msg: fmt.Sprintf("a %s output sends audience records (add, remove), not %q", kind, r.Op)}
	}
	var rec struct {
		Identities map[string][]string `json:"identities"`
	}
	if err := json.Unmarshal(r.Fields, &rec); err != nil {
		return nil, &RecordError{Msg: "the record's fields are not an audience record's JSON: " + err.Error()}
	}
	return rec.Identities, nil
}
