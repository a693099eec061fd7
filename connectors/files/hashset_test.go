package files

import (
	"math/rand/v2"
	"testing"
)

// TestHashSet: the set answers as a map does, across its growth, for
// hashes with bit 0 set (as batchText.hash makes them) and for any
// other non-zero value, the repeats of close values included.
func TestHashSet(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var s hashSet
	want := map[uint64]bool{}
	for i := range 200_000 {
		h := r.Uint64N(60_000)*2 + 1 // repeats, close together
		if i%3 == 0 {
			h = r.Uint64() | 1
		}
		if i%7 == 0 {
			h = uint64(i) + 1 // any non-zero value
		}
		if got := s.add(h); got != !want[h] {
			t.Fatalf("add(%d) = %v after %d adds, want %v", h, got, i, !want[h])
		}
		want[h] = true
	}
	if s.n != len(want) || 2*s.n > len(s.slots) {
		t.Fatalf("%d values in %d slots; want %d, at most half full", s.n, len(s.slots), len(want))
	}
}
