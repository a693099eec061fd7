package identity

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkKernel measures the Go matching kernel alone: rows of one to
// three identities (a customer id, an email, a device) drawn from a pool
// shaped like the generated data set, so that profiles grow and merge.
// Reported per applied row.
func BenchmarkKernel(b *testing.B) {
	const people = 100_000
	rng := rand.New(rand.NewPCG(1, 2))
	rows := make([]Row, 500_000)
	for i := range rows {
		p := int64(rng.IntN(people))
		r := Row{ID: int64(i + 1), TS: int64(i), Feed: i % 3}
		if rng.IntN(10) < 4 {
			r.Idents = append(r.Idents, Ident{ID: 1 + p, Rank: 0, Seed: 1_000_000 + p})
		}
		if rng.IntN(10) < 3 {
			r.Idents = append(r.Idents, Ident{ID: 1 + people + p, Rank: 1, Seed: 2_000_000 + p})
		}
		device := p*2 + int64(rng.IntN(2))
		if rng.IntN(1000) == 0 {
			device = 2*people + int64(rng.IntN(100)) // a shared device
		}
		r.Idents = append(r.Idents, Ident{ID: 1 + 2*people + device, Rank: 2, Seed: 3_000_000 + device})
		rows[i] = r
	}
	rules := Rules{Unique: []bool{true, false, false}, Limit: []int{0, 5, 0}, Feeds: []string{"a", "b", "c"}}
	b.ResetTimer()
	for range b.N {
		k := New(rules, 5*people, people, 0)
		for i := range rows {
			k.Apply(&rows[i])
		}
		if res := k.Result(); res.Created == 0 {
			b.Fatal("no profile created")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(rows)), "ns/row")
}
