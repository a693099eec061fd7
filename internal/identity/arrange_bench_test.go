package identity

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// BenchmarkArrange measures arrange alone on 2M rows shaped like
// BenchmarkKernel's (one to three identities of 400k people), their row
// ids shuffled against the application order as a run's are. Reported
// per arranged row.
func BenchmarkArrange(b *testing.B) {
	const people, n = 400_000, 2_000_000
	rng := rand.New(rand.NewPCG(3, 4))
	slots := rng.Perm(n)
	rows := make([]Row, n)
	for i := range rows {
		p := int64(rng.IntN(people))
		r := Row{ID: 1000 + int64(slots[i]), TS: int64(i)}
		if rng.IntN(10) < 4 {
			r.Idents = append(r.Idents, Ident{ID: 1 + p, Seed: p})
		}
		if rng.IntN(10) < 3 {
			r.Idents = append(r.Idents, Ident{ID: 1 + people + p, Rank: 1, Seed: p})
		}
		r.Idents = append(r.Idents, Ident{ID: 1 + 2*people + p*2 + int64(rng.IntN(2)), Rank: 2, Seed: p})
		rows[i] = r
	}
	src := runRowsOf(rng, rows, []Protection{CreateUpdate})
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		rr := &runRows{prot: src.prot, base: src.base, id: slices.Clone(src.id), ts: slices.Clone(src.ts), mpid: slices.Clone(src.mpid), feed: slices.Clone(src.feed),
			start: slices.Clone(src.start), members: slices.Clone(src.members), idents: slices.Clone(src.idents)}
		b.StartTimer()
		rr.arrange(16)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/row")
}
