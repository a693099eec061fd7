package cli

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// printSamples prints a dry run's sample profiles: a created one as it
// would be, an updated or merged one by what would change.
func printSamples(w io.Writer, samples []pipeline.Sample) {
	if len(samples) == 0 {
		return
	}
	fmt.Fprintln(w, "sample profiles (before → after):")
	for _, s := range samples {
		head := fmt.Sprintf("  %s %d", s.Kind, s.MPID)
		if len(s.Absorbed) > 0 {
			head += fmt.Sprintf(" (absorbing %s)", joinInts(s.Absorbed))
		}
		fmt.Fprintf(w, "%s: %s\n", head, strings.Join(changes(s.Before, s.After), "; "))
	}
}

// changes lists what differs from before to after: identities added (+)
// and removed (-), attributes set, changed and removed.
func changes(before, after pipeline.ProfileView) []string {
	var out []string
	types := slices.Sorted(maps.Keys(merge(before.Identities, after.Identities)))
	for _, t := range types {
		for _, v := range after.Identities[t] {
			if !slices.Contains(before.Identities[t], v) {
				out = append(out, fmt.Sprintf("+%s %s", t, v))
			}
		}
		for _, v := range before.Identities[t] {
			if !slices.Contains(after.Identities[t], v) {
				out = append(out, fmt.Sprintf("-%s %s", t, v))
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(merge(before.Attributes, after.Attributes))) {
		was, had := before.Attributes[k]
		is, has := after.Attributes[k]
		switch {
		case !had && has:
			out = append(out, fmt.Sprintf("%s %s", k, is))
		case had && !has:
			out = append(out, fmt.Sprintf("%s %s → (none)", k, was))
		case was != is:
			out = append(out, fmt.Sprintf("%s %s → %s", k, was, is))
		}
	}
	if len(out) == 0 {
		out = append(out, "no change")
	}
	return out
}

func merge[V any](a, b map[string]V) map[string]V {
	out := maps.Clone(a)
	if out == nil {
		out = map[string]V{}
	}
	maps.Copy(out, b)
	return out
}

func joinInts(ns []int64) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}
