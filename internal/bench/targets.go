package bench

import (
	"fmt"
	"time"
)

// Check is one identity target (docs/performance.md), met or not.
type Check struct {
	Name   string
	Figure string
	Met    bool
}

// Targets checks the report against the identity targets. Loose is CI's
// guard against the harness or the stage rotting on a small data set,
// where fixed costs dominate and the full targets cannot hold: each bound
// is at most 3× what 20k users measure on this machine under load
// (identity 0.67–0.80× label propagation since its kernel runs by
// component on both cores, 8.0–11.0× the floor, incremental 15–17% of
// the rebuild, staging 7.2–9.4× the decode floor since the floor takes
// mosaic's own decoder; seven CI runs of 2026-12-06), so that noise
// passes but a stage 3× slower or a rotted harness fails. The strict targets are the 1M-user
// ones of docs/performance.md.
func (r *Report) Targets(loose bool) []Check {
	id := r.Full.Stages["identity"]
	attrs := r.Full.Stages["attributes"]
	lp, floor := ratio(r.LabelPropagation, id), ratio(id, r.Floor)
	incremental := ratio(r.Incremental.Wall, r.Full.Wall)
	if loose {
		decode := ratio(r.Full.Stages["staging"], r.DecodeFloor)
		return []Check{
			{"staging ≤ 20× the decode floor (loose, CI)", fmt.Sprintf("%.1f×", decode), decode <= 20},
			{"label propagation converged (loose, CI)", fmt.Sprintf("%d rounds", r.LabelRounds), r.LabelPropConverged},
			{"identity stage ≤ 1.6× label propagation (loose, CI)", fmt.Sprintf("%.2f×", 1/lp), lp >= 1/1.6},
			{"identity stage ≤ 22× the floor query (loose, CI)", fmt.Sprintf("%.1f×", floor), floor <= 22},
			{"incremental run ≤ 30% of the full rebuild (loose, CI)", fmt.Sprintf("%.1f%%", 100*incremental), incremental <= 0.30},
		}
	}
	const gib = 1 << 30
	staging := r.Full.Stages["staging"]
	decode := ratio(staging, r.DecodeFloor)
	return []Check{
		{"first run ≤ 60 s", secs(r.Full.Wall), r.Full.Wall <= 60*time.Second},
		{"first run peak RSS ≤ 6 GiB", fmt.Sprintf("%.2f GiB", float64(r.Full.PeakRSS)/gib), r.Full.PeakRSS <= 6*gib},
		{"staging ≤ 2× the decode floor", fmt.Sprintf("%.1f× (%s)", decode, secs(staging)), decode <= 2},
		{"identity stage ≤ 15 s", secs(id), id <= 15*time.Second},
		{"label propagation ≥ 5× the identity stage", fmt.Sprintf("%.1f×", lp), lp >= 5},
		{"identity + attributes ≤ 25 s", secs(id + attrs), id+attrs <= 25*time.Second},
		{"incremental run ≤ 3 s", secs(r.Incremental.Wall), r.Incremental.Wall <= 3*time.Second},
	}
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }
