package reference

import (
	"fmt"
	"slices"
	"testing"

	"github.com/mosaic-cdp/mosaic/internal/config"
)

// TestRandomAttributeShape checks RandomCase's promises about attributes.
func TestRandomAttributeShape(t *testing.T) {
	types := map[string]bool{}
	var cases, shared, custom, rows, setting, deleting int
	for seed := range uint64(randomCases) {
		c := RandomCase(caseRNG(seed))
		cases++
		if len(c.FeedSourceType) != len(c.FeedProtection) {
			t.Fatalf("seed %d: %d source types for %d feeds", seed, len(c.FeedSourceType), len(c.FeedProtection))
		}
		feedTypes := map[string]bool{}
		for _, typ := range c.FeedSourceType {
			if !slices.Contains(config.SourceTypes, typ) {
				t.Fatalf("seed %d: source type %q", seed, typ)
			}
			types[typ] = true
			feedTypes[typ] = true
		}
		if len(feedTypes) < len(c.FeedSourceType) {
			shared++
		}
		if p := c.Config.SourcePriority; p != nil {
			custom++
			if !slices.Equal(slices.Sorted(slices.Values(p)), slices.Sorted(slices.Values(config.SourceTypes))) {
				t.Fatalf("seed %d: source priority %v is no permutation of %v", seed, p, config.SourceTypes)
			}
		}
		for _, run := range c.Runs {
			for _, r := range run {
				rows++
				if r.SourceType != c.FeedSourceType[r.Feed] {
					t.Fatalf("seed %d: row %v has source type %q, feed has %q", seed, r, r.SourceType, c.FeedSourceType[r.Feed])
				}
				if r.Sets != nil {
					setting++
					if len(r.Sets) < 1 || len(r.Sets) > 2 {
						t.Fatalf("seed %d: row sets %v", seed, r.Sets)
					}
				}
				for k, v := range r.Sets {
					if !slices.Contains(attrKeys, k) || !slices.Contains(attrValues, v) {
						t.Fatalf("seed %d: row sets %s = %s, outside the pools", seed, k, v)
					}
				}
				if len(r.Deletes) > 0 {
					deleting++
				}
				for _, k := range r.Deletes {
					if _, ok := r.Sets[k]; ok || !slices.Contains(attrKeys, k) || len(r.Deletes) > 1 {
						t.Fatalf("seed %d: row sets %v and deletes %v", seed, r.Sets, r.Deletes)
					}
				}
			}
		}
	}
	if len(types) != len(config.SourceTypes) {
		t.Errorf("source types seen: %v, want all five", types)
	}
	if shared == 0 || custom == 0 || custom == cases {
		t.Errorf("%d cases: %d with feeds sharing a type, %d with a custom source priority", cases, shared, custom)
	}
	if f := float64(setting) / float64(rows); f < 0.4 || f > 0.6 {
		t.Errorf("%d of %d rows set keys", setting, rows)
	}
	if f := float64(deleting) / float64(rows); f < 0.08 || f > 0.17 {
		t.Errorf("%d of %d rows delete a key", deleting, rows)
	}
}

// resolvedRow is a row that resolved to a profile (perhaps an alias now).
type resolvedRow struct {
	row  Row
	mpid int64
}

func appendResolved(acc []resolvedRow, run []Row, res RunResult) []resolvedRow {
	for _, r := range run {
		if m := res.RowMPID[[2]int{r.Feed, r.Pos}]; m != 0 {
			acc = append(acc, resolvedRow{r, m})
		}
	}
	return acc
}

// checkAttributes checks the attribute invariants after a run: every
// attribute belongs to an existing profile and is held by a set, of the
// type that owns it, of a row that belongs to that profile now; a key that
// a row of the profile set is absent only if a row of the profile deleted
// it; the run's sets on rows with a profile are counted once, written or
// ignored.
func checkAttributes(s *State, run []Row, res RunResult, resolved []resolvedRow) error {
	exists := map[int64]bool{}
	for _, p := range s.Profiles() {
		exists[p.MPID] = true
	}
	now := func(rr resolvedRow) int64 {
		m, _ := s.Resolve(rr.mpid)
		return m
	}
	attrs := s.Attributes()
	for m, keys := range attrs {
		if !exists[m] {
			return fmt.Errorf("attributes %v on %d, which is no profile", keys, m)
		}
		if len(keys) == 0 {
			return fmt.Errorf("profile %d listed without attributes", m)
		}
		for k, v := range keys {
			held := slices.ContainsFunc(resolved, func(rr resolvedRow) bool {
				val, ok := rr.row.Sets[k]
				return ok && val == v.Value && now(rr) == m && rr.row.SourceType == v.SourceType &&
					rr.row.Feed == v.Feed && rr.row.TS.Equal(v.TS)
			})
			if !held {
				return fmt.Errorf("profile %d: %s = %+v matches no set of its rows", m, k, v)
			}
		}
	}
	for _, rr := range resolved {
		m := now(rr)
		for k := range rr.row.Sets {
			if _, ok := attrs[m][k]; ok {
				continue
			}
			deleted := slices.ContainsFunc(resolved, func(d resolvedRow) bool {
				return now(d) == m && slices.Contains(d.row.Deletes, k)
			})
			if !deleted {
				return fmt.Errorf("profile %d: %s was set by row (%d, %d) and never deleted, but is absent", m, k, rr.row.Feed, rr.row.Pos)
			}
		}
	}
	sets := 0
	for _, r := range run {
		if res.RowMPID[[2]int{r.Feed, r.Pos}] != 0 {
			sets += len(r.Sets)
		}
	}
	if got := res.AttributesWritten + res.AttributesIgnored; got != sets {
		return fmt.Errorf("%d written + %d ignored, but the run's rows with a profile set %d keys",
			res.AttributesWritten, res.AttributesIgnored, sets)
	}
	return nil
}
