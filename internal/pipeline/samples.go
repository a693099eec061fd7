package pipeline

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/mosaic-cdp/mosaic/internal/engine"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// Sample is a profile a dry run would create, update or merge, as it was
// before the run and would be after.
type Sample struct {
	Kind string `json:"kind"` // created, updated or merged
	MPID int64  `json:"mpid"`
	// Absorbed are the profiles a merged one would absorb; its Before
	// holds theirs and its own.
	Absorbed []int64     `json:"absorbed,omitempty"`
	Before   ProfileView `json:"before"`
	After    ProfileView `json:"after"`
}

// ProfileView is a profile's identities (values by type) and attributes
// (JSON text by key).
type ProfileView struct {
	Identities map[string][]string `json:"identities,omitempty"`
	Attributes map[string]string   `json:"attributes,omitempty"`
}

// queryer reads rows: the run's transaction, or the store's readers (the
// store as committed).
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// samplesScanned bounds the profiles read to find each kind's samples.
const samplesScanned = 1000

// samples picks up to n profiles of each kind of change among those run
// runID touched, and reads each before (the store as committed) and after
// (inside the transaction, before it rolls back). An updated profile the
// run leaves as it was is not a sample.
func samples(ctx context.Context, store *engine.Store, tx *engine.Tx, runID int64, n int) ([]Sample, error) {
	rows, err := tx.QueryContext(ctx, sqlfiles.Get("samples/touched.sql"), runID, samplesScanned)
	if err != nil {
		return nil, fmt.Errorf("samples: %w", err)
	}
	var touched []Sample
	for rows.Next() {
		var s Sample
		var absorbed string
		if err := rows.Scan(&s.MPID, &absorbed); err != nil {
			rows.Close()
			return nil, fmt.Errorf("samples: %w", err)
		}
		for _, a := range strings.Split(absorbed, ",") {
			if m, err := strconv.ParseInt(a, 10, 64); err == nil {
				s.Absorbed = append(s.Absorbed, m)
			}
		}
		touched = append(touched, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("samples: %w", err)
	}
	var all []int64
	for _, s := range touched {
		all = append(all, s.MPID)
		all = append(all, s.Absorbed...)
	}
	after, err := readProfiles(ctx, tx, all)
	if err != nil {
		return nil, err
	}
	before, err := readProfiles(ctx, store.Readers(1), all)
	if err != nil {
		return nil, err
	}
	var out []Sample
	count := map[string]int{}
	for _, s := range touched {
		s.After = after[s.MPID]
		prev, existed := before[s.MPID]
		switch {
		case len(s.Absorbed) > 0:
			s.Kind = "merged"
			for _, a := range s.Absorbed {
				prev = prev.union(before[a])
			}
		case existed:
			s.Kind = "updated"
		default:
			s.Kind = "created"
		}
		s.Before = prev
		if s.Kind == "updated" && s.Before.equal(s.After) || count[s.Kind] >= n {
			continue
		}
		count[s.Kind]++
		out = append(out, s)
	}
	kinds := []string{"created", "updated", "merged"}
	slices.SortStableFunc(out, func(a, b Sample) int {
		return cmp.Compare(slices.Index(kinds, a.Kind), slices.Index(kinds, b.Kind))
	})
	return out, nil
}

// readProfiles reads the profiles of mpids through q (samples/profiles.sql).
func readProfiles(ctx context.Context, q queryer, mpids []int64) (map[int64]ProfileView, error) {
	out := map[int64]ProfileView{}
	if len(mpids) == 0 {
		return out, nil
	}
	ids := make([]string, len(mpids))
	for i, m := range mpids {
		ids[i] = strconv.FormatInt(m, 10)
	}
	rows, err := q.QueryContext(ctx, sqlfiles.Get("samples/profiles.sql"), strings.Join(ids, ","))
	if err != nil {
		return nil, fmt.Errorf("samples: read profiles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var mpid int64
		var kind, name, value string
		if err := rows.Scan(&mpid, &kind, &name, &value); err != nil {
			return nil, fmt.Errorf("samples: read profiles: %w", err)
		}
		v := out[mpid]
		if kind == "identity" {
			if v.Identities == nil {
				v.Identities = map[string][]string{}
			}
			v.Identities[name] = append(v.Identities[name], value)
		} else {
			if v.Attributes == nil {
				v.Attributes = map[string]string{}
			}
			v.Attributes[name] = value
		}
		out[mpid] = v
	}
	return out, rows.Err()
}

// union is both profiles' identities and attributes (v's attribute where
// both hold a key).
func (v ProfileView) union(w ProfileView) ProfileView {
	out := ProfileView{Identities: map[string][]string{}, Attributes: map[string]string{}}
	for _, x := range []ProfileView{w, v} {
		for t, vals := range x.Identities {
			for _, val := range vals {
				if !slices.Contains(out.Identities[t], val) {
					out.Identities[t] = append(out.Identities[t], val)
				}
			}
		}
		for k, a := range x.Attributes {
			out.Attributes[k] = a
		}
	}
	for t := range out.Identities {
		slices.Sort(out.Identities[t])
	}
	return out
}

func (v ProfileView) equal(w ProfileView) bool {
	return reflect.DeepEqual(v.union(ProfileView{}), w.union(ProfileView{}))
}
