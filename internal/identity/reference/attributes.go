package reference

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/config"
)

// AttributeValue is a profile's value of one key: the applied set that
// holds it. SourceType is the type that owns the key.
type AttributeValue struct {
	Value      string // JSON text, verbatim from Row.Sets
	SourceType string
	Feed       int // feed position of the row
	TS         time.Time
}

// appliedRow is a row with writes that resolved to a profile.
type appliedRow struct {
	row  Row
	run  int   // index of its Apply call, from 0
	mpid int64 // the profile it resolved to when applied (perhaps an alias now)
}

// Attributes returns a copy of every profile's attributes: MPID -> key ->
// value. Profiles without attributes are absent.
func (s *State) Attributes() map[int64]map[string]AttributeValue {
	out := map[int64]map[string]AttributeValue{}
	for m, keys := range s.attrs {
		if len(keys) == 0 {
			continue
		}
		out[m] = map[string]AttributeValue{}
		for k, v := range keys {
			out[m][k] = v
		}
	}
	return out
}

// recordWrites keeps the run's rows that have writes and a profile.
func (s *State) recordWrites(rows []Row, res *RunResult) {
	for _, r := range rows {
		if len(r.Sets) == 0 && len(r.Deletes) == 0 {
			continue
		}
		if m := res.RowMPID[[2]int{r.Feed, r.Pos}]; m != 0 {
			s.history = append(s.history, appliedRow{row: r, run: s.runs, mpid: m})
		}
	}
}

// refold recomputes every profile's attributes from the whole history, as
// the package comment of internal/attributes says: per (profile now, key),
// the writes in order of (row time, feed position, run, row position). It
// counts the current run's sets into res.
func (s *State) refold(res *RunResult) {
	hist := slices.Clone(s.history)
	slices.SortStableFunc(hist, func(a, b appliedRow) int {
		if c := a.row.TS.Compare(b.row.TS); c != 0 {
			return c
		}
		if c := cmp.Compare(a.row.Feed, b.row.Feed); c != 0 {
			return c
		}
		if c := cmp.Compare(a.run, b.run); c != 0 {
			return c
		}
		return cmp.Compare(a.row.Pos, b.row.Pos)
	})
	s.attrs = map[int64]map[string]AttributeValue{}
	for _, a := range hist {
		m, ok := s.Resolve(a.mpid)
		if !ok {
			panic(fmt.Sprintf("reference: row (%d, %d) resolved to %d, now unknown", a.row.Feed, a.row.Pos, a.mpid))
		}
		if s.attrs[m] == nil {
			s.attrs[m] = map[string]AttributeValue{}
		}
		keys := s.attrs[m]
		typ, r := a.row.SourceType, s.sourceRank(a.row.SourceType)
		for _, k := range slices.Sorted(maps.Keys(a.row.Sets)) { // keys are independent; sorted for clarity
			took := false
			if cur, live := keys[k]; !live || r <= s.sourceRank(cur.SourceType) {
				keys[k] = AttributeValue{Value: a.row.Sets[k], SourceType: typ, Feed: a.row.Feed, TS: a.row.TS}
				took = true
			}
			switch {
			case a.run != s.runs:
			case took:
				res.AttributesWritten++
			default:
				res.AttributesIgnored++
			}
		}
		for _, k := range a.row.Deletes { // after the row's sets (Reading)
			if cur, live := keys[k]; live && r <= s.sourceRank(cur.SourceType) {
				delete(keys, k)
			}
		}
	}
}

// sourceRank is a source type's rank, 1 the highest: its place in
// Config.SourcePriority (config.SourceTypes when empty). Reading: types the
// list misses follow it in config.SourceTypes order; a type listed twice
// keeps its first place.
func (s *State) sourceRank(t string) int {
	if !slices.Contains(config.SourceTypes, t) {
		panic(fmt.Sprintf("reference: unknown source type %q", t))
	}
	var order []string
	for _, st := range slices.Concat(s.cfg.SourcePriority, config.SourceTypes) {
		if !slices.Contains(order, st) {
			order = append(order, st)
		}
	}
	return slices.Index(order, t) + 1
}
