package reference

import (
	"testing"
)

// wantUpdated checks profile mpid's updated_at, at hour.
func wantUpdated(t *testing.T, s *State, mpid int64, hour int, why string) {
	t.Helper()
	for _, p := range s.Profiles() {
		if p.MPID == mpid {
			if !p.UpdatedAt.Equal(at(hour)) {
				t.Errorf("%s: updated_at %s, want %s", why, p.UpdatedAt.Format("15:04"), at(hour).Format("15:04"))
			}
			return
		}
	}
	t.Errorf("%s: no profile %d", why, mpid)
}

// updated_at takes the time of a run's write that changed a value (set,
// overwritten, deleted), and of no write that left the value as it was.
func TestUpdatedAtValueChanges(t *testing.T) {
	s := New(testConfig())
	s.Apply([]Row{sets(sdk, row(0, 0, 1, CU, 0, email("a")), "tier", `"gold"`)})
	wantUpdated(t, s, seedA, 1, "created with a value")
	s.Apply([]Row{sets(sdk, row(0, 1, 5, CU, 0, email("a")), "tier", `"silver"`)})
	wantUpdated(t, s, seedA, 5, "overwritten")
	s.Apply([]Row{sets(wh, row(1, 0, 6, CU, 0, email("a")), "city", `"Paris"`)})
	wantUpdated(t, s, seedA, 6, "a new key")
	s.Apply([]Row{sets(sdk, row(0, 2, 7, CU, 0, email("a")), "tier", `"silver"`)})
	wantUpdated(t, s, seedA, 6, "the same value again")
	s.Apply([]Row{dels(sdk, row(0, 3, 8, CU, 0, email("a")), "drink")})
	wantUpdated(t, s, seedA, 6, "an absent key deleted")
	s.Apply([]Row{sets(csv, row(2, 0, 9, CU, 0, email("a")), "tier", `"bronze"`)})
	wantUpdated(t, s, seedA, 6, "a lower type's set, ignored")
	s.Apply([]Row{dels(sdk, row(0, 4, 10, CU, 0, email("a")), "tier")})
	wantUpdated(t, s, seedA, 10, "deleted")
	wantAttrs(t, s, attrs{seedA: {"city": av(`"Paris"`, wh, 1, 6)}})
}

// Two writes of one run that set another value and set the first back
// change nothing: updated_at stays.
func TestUpdatedAtSetBack(t *testing.T) {
	s := New(testConfig())
	s.Apply([]Row{sets(sdk, row(0, 0, 1, CU, 0, email("a")), "tier", `"gold"`)})
	res := s.Apply([]Row{
		sets(sdk, row(0, 1, 3, CU, 0, email("a")), "tier", `"silver"`),
		sets(sdk, row(0, 2, 4, CU, 0, email("a")), "tier", `"gold"`),
	})
	wantResult(t, res, RunResult{RowMPID: map[rowKey]int64{{0, 1}: seedA, {0, 2}: seedA}, AttributesWritten: 2})
	wantUpdated(t, s, seedA, 1, "set and set back")
}

// A higher type's older write takes the key in a later run: the value
// changes, but updated_at, a maximum of row times, does not go back.
func TestUpdatedAtOlderHigherWrite(t *testing.T) {
	s := New(testConfig())
	s.Apply([]Row{row(0, 0, 1, CU, 0, email("a"))})
	s.Apply([]Row{sets(csv, row(1, 0, 9, CU, 0, email("a")), "tier", `"silver"`)})
	wantUpdated(t, s, seedA, 9, "csv sets")
	s.Apply([]Row{sets(wh, row(2, 0, 5, CU, 0, email("a")), "tier", `"gold"`)})
	wantAttrs(t, s, attrs{seedA: {"tier": av(`"gold"`, wh, 2, 5)}})
	wantUpdated(t, s, seedA, 9, "warehouse's older value")
}

// The time is that of the last of the run's writes that took effect on
// the key: not a deletion of a key already deleted, nor the earlier
// run's write that the run's deletion let in.
func TestUpdatedAtLastWriteOfTheRun(t *testing.T) {
	s := New(testConfig())
	s.Apply([]Row{
		sets(sdk, row(0, 0, 1, CU, 0, email("a")), "tier", `"a"`),
		sets(csv, row(1, 0, 20, CU, 0, email("a")), "tier", `"b"`), // ignored: sdk owns tier
	})
	wantUpdated(t, s, seedA, 1, "run 1")
	s.Apply([]Row{
		dels(sdk, row(0, 1, 10, CU, 0, email("a")), "tier"), // frees tier
		dels(csv, row(1, 1, 15, CU, 0, email("a")), "tier"), // nothing to delete
	})
	wantAttrs(t, s, attrs{seedA: {"tier": av(`"b"`, csv, 1, 20)}})
	wantUpdated(t, s, seedA, 10, "tier a -> b")
}

// A profile that absorbs another compares its value after the run with
// the fold of both profiles' earlier writes: the survivor's csv value was
// already beaten by the absorbed profile's sdk one, so the run's sdk write
// of that same value changes nothing. The merge row, late, moves nothing.
func TestUpdatedAtMerge(t *testing.T) {
	s := New(testConfig())
	s.Apply([]Row{
		sets(sdk, row(0, 0, 1, CU, 0, das("d1"), mob()), "tier", `"gold"`),
		sets(csv, row(1, 0, 2, CU, 0, email("a")), "tier", `"silver"`),
	})
	res := s.Apply([]Row{
		row(2, 0, 0, CU, 0, das("d1"), email("a")), // A absorbs M
		sets(sdk, row(0, 1, 5, CU, 0, email("a")), "tier", `"gold"`),
	})
	wantResult(t, res, RunResult{RowMPID: map[rowKey]int64{{2, 0}: seedA, {0, 1}: seedA}, Merged: 1, AttributesWritten: 1})
	wantAttrs(t, s, attrs{seedA: {"tier": av(`"gold"`, sdk, 0, 5)}})
	wantUpdated(t, s, seedA, 2, "merged")
}
