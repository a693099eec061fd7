package connectors

import (
	"context"
	"slices"
)

// Checker is implemented by sources that can check a feed against the
// system they read without reading its rows (`mosaic check`). It is
// optional: a source that is not a Checker is only validated.
//
// Call order: Validate first; then Check, any number of times, outside any
// run. Check changes nothing, neither at the source nor in the store.
type Checker interface {
	// Check connects, checks that the table (or query) and the feed's
	// mapped columns exist with types mosaic can use, and counts the rows
	// the next read would deliver. It returns an error when the feed cannot
	// be checked at all (no credentials, no connection, no table), and
	// lists smaller findings in CheckResult.Problems, all at once.
	Check(ctx context.Context, req CheckRequest) (CheckResult, error)
}

// CheckRequest is one feed's check: what its read would be (Columns,
// Cursor, Watermark), plus the roles whose types matter.
type CheckRequest struct {
	ReadRequest
	// Timestamp is the feed's timestamp column ("" for none); it must hold
	// times: timestamps, dates, epoch integers or ISO 8601 text.
	Timestamp string
}

// Wanted returns the columns a check looks for: the mapped columns, the
// cursor and the timestamp, sorted, without duplicates.
func (r CheckRequest) Wanted() []string {
	var out []string
	for _, c := range append(slices.Clone(r.Columns), r.Cursor, r.Timestamp) {
		if c != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

// CheckResult is what Check found.
type CheckResult struct {
	// Columns are the mapped columns as the source has them, sorted.
	Columns []CheckColumn `json:"columns"`
	// Rows is how many rows the next read would deliver (past the
	// watermark), or -1 when the source cannot tell without reading.
	Rows int64 `json:"rows"`
	// Problems would make the read fail or lose rows; each says how to fix
	// it. None means the feed is ready to read.
	Problems []string `json:"problems,omitempty"`
}

// CheckColumn is one mapped column: its type at the source and the type
// the source stages it as (an Arrow type, e.g. "timestamp[us, tz=UTC]",
// or for sources that DuckDB reads itself, the DuckDB type, e.g. "JSON").
type CheckColumn struct {
	Name       string `json:"name"`
	SourceType string `json:"source_type"`
	Staged     string `json:"staged_as"`
}
