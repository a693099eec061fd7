package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/unseen"
)

// CheckOptions change `mosaic check`.
type CheckOptions struct {
	// Timeout bounds each feed's check (0: none).
	Timeout time.Duration
	Log     *slog.Logger
}

// CheckReport is what Check found, feed by feed in pipeline order.
type CheckReport struct {
	Pipeline string `json:"pipeline"`
	File     string `json:"file"`
	Store    string `json:"store"`
	// UnseenNames are the names the pipeline's audiences and calculated
	// attributes use that the store has no data of (unseen.Find), when it
	// exists; a run warns of them too. They leave the pipeline ready.
	UnseenNames []string `json:"unseen_names,omitempty"`
	// StoreFound tells whether the store exists: when it does, counts are
	// of the rows past each feed's committed state and watermark.
	StoreFound bool        `json:"store_found"`
	Feeds      []FeedCheck `json:"feeds"`
	// Outputs are the outputs' checks, in pipeline order.
	Outputs []OutputCheck `json:"outputs"`
}

// FeedCheck is one feed's check.
type FeedCheck struct {
	Feed   string `json:"feed"`
	Source string `json:"source"`
	// Position is the feed's place in the pipeline file (file:line:col).
	Position string `json:"position"`
	// Checked is false when the source kind has no check beyond Validate.
	Checked   bool   `json:"checked"`
	Watermark string `json:"watermark,omitempty"`
	connectors.CheckResult
	// Notes say what a run will do with the feed's values that a user may
	// not expect (a float identity column's values as digits); they leave
	// the feed ready.
	Notes []string `json:"notes,omitempty"`
}

// Ready tells whether the feed can be read as it is.
func (f FeedCheck) Ready() bool { return len(f.Problems) == 0 }

// OutputCheck is one output's check: what it reads from the machine's
// environment when it syncs (connectors.EnvChecker), checked without
// connecting.
type OutputCheck struct {
	Output string `json:"output"`
	Kind   string `json:"kind"`
	// Position is the output's place in the pipeline file (file:line:col).
	Position string `json:"position"`
	// Checked is false when the output kind reads nothing from the
	// environment (files).
	Checked bool `json:"checked"`
	// Problems would fail the output's syncs; each names file:line:col
	// and says how to fix it.
	Problems []string `json:"problems,omitempty"`
}

// Ready tells whether the output can sync as far as can be told without
// connecting.
func (o OutputCheck) Ready() bool { return len(o.Problems) == 0 }

// Ready tells whether every feed can be read and every output can sync
// as they are.
func (r *CheckReport) Ready() bool {
	for _, f := range r.Feeds {
		if !f.Ready() {
			return false
		}
	}
	for _, o := range r.Outputs {
		if !o.Ready() {
			return false
		}
	}
	return true
}

// Check checks p's feeds against their sources without reading their rows
// and without changing the store: each source that is a
// connectors.Checker connects and checks the table (or query, or files)
// and the mapped columns, and counts the rows the next read would deliver,
// past the state and watermark of the store when it exists (opened
// read-only, never created or migrated); first, what a source reads from
// the environment (connectors.SourceEnvChecker) is checked, and a feed
// that could not be read with it is not connected to. An identity column
// of a type whose values are not identities (a list) is a problem at its
// mapping, one whose values may not be (a float) a note
// (check_identity.go). A feed that cannot be
// checked has that as its problem. Each output is checked for what it reads from
// the environment when it syncs (connectors.EnvChecker), connecting to
// nothing. The store, when it exists, also gives the names the pipeline's
// definitions use that it has no data of (UnseenNames). The error is for
// a store that cannot be read.
func Check(ctx context.Context, p *config.Pipeline, reg *connectors.Registry, opts CheckOptions) (*CheckReport, error) {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	rep := &CheckReport{Pipeline: p.Name, File: p.File, Store: p.State}
	states, unseenNames, err := committedStates(ctx, p, log)
	rep.UnseenNames = unseenNames
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		rep.StoreFound = true
	}
	for i := range p.Feeds {
		fc := checkFeed(ctx, p, i, reg, states[p.Feeds[i].Name], opts.Timeout)
		log.Info("feed checked", "feed", fc.Feed, "rows", fc.Rows, "problems", len(fc.Problems))
		rep.Feeds = append(rep.Feeds, fc)
	}
	rep.Outputs = []OutputCheck{}
	for i := range p.Outputs {
		oc := checkOutput(p, i, reg)
		log.Info("output checked", "output", oc.Output, "problems", len(oc.Problems))
		rep.Outputs = append(rep.Outputs, oc)
	}
	return rep, nil
}

// checkOutput checks the output at index i: its block, then what it reads
// from the environment.
func checkOutput(p *config.Pipeline, i int, reg *connectors.Registry) OutputCheck {
	o := p.Outputs[i]
	path := fmt.Sprintf("outputs[%d]", i)
	oc := OutputCheck{Output: o.Name, Kind: o.Kind, Position: p.Pos(path).String()}
	d, err := reg.Destination(o.Kind)
	if err != nil {
		oc.Problems = []string{fmt.Sprintf("%s: output %s: %v", oc.Position, o.Name, err)}
		return oc
	}
	req := connectors.OutputRequest{Output: o, Resolve: p.Resolve}
	err = d.Validate(req)
	if ec, ok := d.(connectors.EnvChecker); ok && err == nil {
		oc.Checked = true
		err = ec.CheckEnv(req)
	}
	if err != nil {
		for _, e := range asConfigErrors(p, path, err) {
			oc.Problems = append(oc.Problems, e.Error())
		}
	}
	return oc
}

// committed is a feed's committed source state and watermark.
type committed struct {
	state     json.RawMessage
	watermark string
}

// committedStates reads every feed's committed state from the store, opened
// read-only, and the names p's audiences and calculated attributes use
// that the store has no data of (unseen.Find); fs.ErrNotExist when there
// is no store yet.
func committedStates(ctx context.Context, p *config.Pipeline, log *slog.Logger) (map[string]committed, []string, error) {
	if _, err := os.Stat(p.State); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("store %s: %w", p.State, err)
	}
	store, err := engine.Open(ctx, p.State, engine.Options{ReadOnly: true, Logger: log})
	if err != nil {
		return nil, nil, fmt.Errorf("%w; `mosaic check` reads each feed's watermark from it", err)
	}
	defer store.Close()
	tx, err := store.Begin(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("store %s: %w", p.State, err)
	}
	defer tx.RollbackLogged(ctx)
	out := map[string]committed{}
	for _, f := range p.Feeds {
		state, wm, err := tx.SourceState(ctx, f.Name)
		if err != nil {
			return nil, nil, fmt.Errorf("store %s: %w", p.State, err)
		}
		out[f.Name] = committed{state: state, watermark: wm}
	}
	names, err := unseen.Find(ctx, tx, p)
	if err != nil {
		return nil, nil, fmt.Errorf("store %s: %w", p.State, err)
	}
	return out, names, nil
}

// checkFeed checks the feed at index i.
func checkFeed(ctx context.Context, p *config.Pipeline, i int, reg *connectors.Registry, st committed, timeout time.Duration) FeedCheck {
	f := &p.Feeds[i]
	pos := p.Pos(fmt.Sprintf("feeds[%d]", i)).String()
	fc := FeedCheck{Feed: f.Name, Source: f.Source.Kind, Position: pos, Watermark: st.watermark, CheckResult: connectors.CheckResult{Rows: -1, Columns: []connectors.CheckColumn{}}}
	src, err := reg.Source(f.Source.Kind)
	if err != nil {
		fc.Problems = []string{fmt.Sprintf("%s: feed %s: %v", pos, f.Name, err)}
		return fc
	}
	if err := src.Validate(validateRequest(p, i)); err != nil {
		for _, e := range asConfigErrors(p, fmt.Sprintf("feeds[%d].source", i), err) {
			fc.Problems = append(fc.Problems, e.Error())
		}
		return fc
	}
	// What the read would read from the machine, before connecting with
	// it: a problem there would only come back as a connection's failure.
	if err := checkFeedEnv(p, i, reg); err != nil {
		for _, e := range asConfigErrors(p, fmt.Sprintf("feeds[%d].source", i), err) {
			fc.Problems = append(fc.Problems, e.Error())
		}
		return fc
	}
	checker, ok := src.(connectors.Checker)
	if !ok {
		return fc
	}
	fc.Checked = true
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	req := connectors.CheckRequest{
		ReadRequest: connectors.ReadRequest{
			ValidateRequest: validateRequest(p, i),
			Columns:         engine.FeedColumns(f),
			Cursor:          f.Cursor,
			Watermark:       st.watermark,
			State:           st.state,
		},
		Timestamp: f.Timestamp,
	}
	res, err := checker.Check(ctx, req)
	fc.CheckResult = res
	if fc.Columns == nil {
		fc.Columns = []connectors.CheckColumn{}
	}
	for j, prob := range fc.Problems {
		fc.Problems[j] = pos + ": " + prob
	}
	problems, notes := identityColumns(p, i, fc.Columns)
	fc.Problems, fc.Notes = append(fc.Problems, problems...), notes
	switch {
	case err != nil && errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil:
		fc.Problems = append(fc.Problems, fmt.Sprintf("%s: feed %s: the %s source did not answer within %s (%v); check the server is reachable, or raise --timeout", pos, f.Name, f.Source.Kind, timeout, err))
	case err != nil:
		fc.Problems = append(fc.Problems, fmt.Sprintf("%s: %v", pos, err))
	}
	return fc
}
