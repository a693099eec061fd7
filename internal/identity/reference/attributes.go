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
// counts the current run's sets into res, and moves the updated_at of
// profiles whose values the run changed (doc.go, "Profile times").
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
	before, _ := s.fold(hist, false, nil)
	var took map[attrKey]time.Time
	s.attrs, took = s.fold(hist, true, res)
	// A (profile, key) the run changed: a value where there was none, another
	// value, or none where there was one. Reading: values compare as JSON
	// texts, the owning source type aside.
	for m := range s.profiles {
		for _, k := range slices.Sorted(maps.Keys(keysOf(before[m], s.attrs[m]))) {
			was, wasLive := before[m][k]
			is, isLive := s.attrs[m][k]
			if wasLive == isLive && (!isLive || was.Value == is.Value) {
				continue
			}
			ts, ok := took[attrKey{m, k}]
			if !ok { // only the run's writes differ between the two folds
				panic(fmt.Sprintf("reference: %d's %s changed with no write of the run", m, k))
			}
			s.profiles[m].updatedAt = later(s.profiles[m].updatedAt, ts)
		}
	}
}

// attrKey is one (profile, key).
type attrKey struct {
	mpid int64
	key  string
}

// fold folds the writes of hist, sorted, per (profile now, key): the
// current run's too when withRun, and then it counts the run's sets into
// res and returns, per (profile, key), the time of the last of the run's
// writes that took effect (a set applied, or a deletion that removed a
// value; fold order is time order, so the latest).
func (s *State) fold(hist []appliedRow, withRun bool, res *RunResult) (map[int64]map[string]AttributeValue, map[attrKey]time.Time) {
	attrs := map[int64]map[string]AttributeValue{}
	took := map[attrKey]time.Time{}
	for _, a := range hist {
		ours := a.run == s.runs
		if ours && !withRun {
			continue
		}
		m, ok := s.Resolve(a.mpid)
		if !ok {
			panic(fmt.Sprintf("reference: row (%d, %d) resolved to %d, now unknown", a.row.Feed, a.row.Pos, a.mpid))
		}
		if attrs[m] == nil {
			attrs[m] = map[string]AttributeValue{}
		}
		keys := attrs[m]
		typ, r := a.row.SourceType, s.sourceRank(a.row.SourceType)
		for _, k := range slices.Sorted(maps.Keys(a.row.Sets)) { // keys are independent; sorted for clarity
			applied := false
			if cur, live := keys[k]; !live || r <= s.sourceRank(cur.SourceType) {
				keys[k] = AttributeValue{Value: a.row.Sets[k], SourceType: typ, Feed: a.row.Feed, TS: a.row.TS}
				applied = true
			}
			switch {
			case !ours:
			case applied:
				res.AttributesWritten++
				took[attrKey{m, k}] = a.row.TS
			default:
				res.AttributesIgnored++
			}
		}
		for _, k := range a.row.Deletes { // after the row's sets (Reading)
			if cur, live := keys[k]; live && r <= s.sourceRank(cur.SourceType) {
				delete(keys, k)
				if ours {
					took[attrKey{m, k}] = a.row.TS
				}
			}
		}
	}
	return attrs, took
}

// keysOf is the union of the keys of a and b.
func keysOf(a, b map[string]AttributeValue) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
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
