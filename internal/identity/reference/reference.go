// Package reference is a plain, slow and obvious implementation of the
// identity-resolution procedure that the package comment of
// internal/identity (doc.go) declares normative. It works on strings and
// maps, one row at a time, and exists to be compared with the real
// SQL + Go-kernel identity stage in property tests.
//
// Where doc.go leaves a point open, this package takes the most literal
// reading and says so in a comment marked "Reading:". The points are:
//
//   - Identity types missing from Config.Order sort after every listed
//     type, by type name (doc.go assumes the order lists every type).
//   - Rule 4 applies to every match, including one found through the row's
//     mpid (rule 2), and it rejects the match when the match holds any value
//     of a unique type that differs from any value of that type the row
//     carries; so a row carrying two values of a unique type rejects every
//     match holding a value of that type.
//   - A profile created under rule 5 only gets 6a (adding identities); 6b
//     (merging) is not run for it, so identities of the row that other
//     profiles hold (possible after a rule-4 rejection) stay shared.
//   - 6a checks unique_conflict before identity_limit: an identity failing
//     both is dropped as unique_conflict.
//   - 6a, for an identity P already holds, moves first_seen_at earlier but
//     keeps the stored feed (doc.go moves the feed with first_seen_at only
//     for merges).
//   - 6b walks every row identity, including those 6a dropped, and merges
//     only profiles holding a row identity: no transitive merging through
//     identities that a merged Q brought along. Holders of one identity are
//     listed once, before its merges; the merge test sees P as grown by the
//     merges so far.
//   - In a merge, an identity both hold whose first_seen_at ties keeps P's
//     feed; created_at stays P's (doc.go gives no merge rule for it).
//   - The creating row counts as matched: a new profile's created_at,
//     updated_at and last_seen_at are all the creating row's time. All
//     profile times are maxima ("latest"), so a late row cannot move them
//     back. Refreshing an identity P already holds does not touch
//     updated_at.
//   - Rule 9's "taken now or earlier in the run" equals "a profile or an
//     alias now": profiles only ever vanish by becoming aliases. Probing
//     wraps from MaxInt64 to MinInt64 and does not skip 0.
//   - RowMPID records the profile a row resolved to when it was applied; a
//     later merge in the same run does not rewrite it (use Resolve).
//   - Limits entries below 1 are ignored (config validation forbids them).
//     "Together they would hold more values than the limit" counts the
//     distinct values of the union, an identity both hold once.
//   - Rules 1 and 2 drop rows whatever their protection, only_read too.
//   - A new profile gets the row's identities "as in 6a" (doc.go,
//     normative), which can drop some (a second value of a unique type),
//     not all of them. This package follows doc.go.
//   - "Lower 64 bits read little-endian" is bytes 8..15 of the digest, the
//     reading that reproduces DuckDB's md5_number_lower (see Seed).
//   - Row.MPID 0 means "no mpid", so a profile whose MPID probed onto 0
//     (odds 2^-64) could not be named by a row.
//
// User attributes follow the package comment of internal/attributes
// (normative) and docs/design.md's attribute rules; see attributes.go. Its readings:
//
//   - A row's source type travels on the row (Row.SourceType, like
//     Row.Protection); every row of a feed carries its feed's type.
//   - The fold order is (row time, feed position, run, row position): for
//     ties on time and feed an earlier run's row comes first.
//   - Within one row, sets apply before deletions. The real stage orders a
//     row's writes of one key by nothing, so a row that both sets and
//     deletes a key is ambiguous; RandomCase never makes one.
//   - Rows that resolved to no profile (only_read, dropped) write nothing,
//     and their sets are counted neither written nor ignored.
//   - AttributesWritten and AttributesIgnored count this run's sets by
//     whether they took effect in the final fold, after the run, of their
//     (current profile, key). A set that took effect and that a later write
//     superseded still counts as written; a set of an earlier run that the
//     run's rows now keep out is not counted again.
//   - A deletion of an absent key does nothing. A deletion frees the key:
//     the next set, of any source type, owns it.
//   - Source types missing from Config.SourcePriority rank after every
//     listed type, in config.SourceTypes order (as identity types missing
//     from identity.priority do); a type listed twice keeps its first place.
//   - Values are JSON texts kept verbatim; "null" is a value. The real
//     stage stores them as DuckDB JSON, so compare compact texts.
//   - A run changed a (profile, key) when its value after the run and its
//     value before (the fold without the run's writes) differ as JSON
//     texts; which source type owns it does not count. Such a change moves
//     the profile's updated_at to the time of the last of the run's writes
//     that took effect on the key, if later (doc.go, "Profile times"); a
//     change always has one, as only the run's writes differ between the
//     two folds.
package reference

import (
	"crypto/md5"
	"encoding/binary"
	"time"
)

// Protection levels of a feed (docs/design.md, identity rules).
const (
	CreateUpdate = "create_update"
	OnlyUpdate   = "only_update"
	OnlyRead     = "only_read"
)

// Drop reasons, as written to dropped_rows.
const (
	ReasonNoIdentity        = "no_identity"
	ReasonUnknownMPID       = "unknown_mpid"
	ReasonNoMatchingProfile = "no_matching_profile"
	ReasonUniqueConflict    = "unique_conflict"
	ReasonIdentityLimit     = "identity_limit"
)

// Identity is one (type, value) pair, already normalised.
type Identity struct{ Type, Value string }

// Row is one staged feed row.
type Row struct {
	Feed, Pos  int // feed position in the pipeline file, row position in its feed (order keys)
	TS         time.Time
	Protection string // CreateUpdate, OnlyUpdate or OnlyRead
	MPID       int64  // 0 = none
	// Identities are normalised with the blocklist applied; they may hold
	// duplicates (ignored) and several values of one type.
	Identities []Identity
	// SourceType is the source type of the row's feed (a config.SourceTypes
	// entry); only rows with writes need one.
	SourceType string
	// Sets maps an attribute key to its value as JSON text ("\"gold\"",
	// "9", "null", `["a","b"]`). Deletes lists deleted keys; a row's
	// deletions apply after its sets.
	Sets    map[string]string
	Deletes []string
}

// Config is the part of the pipeline's identity configuration the
// procedure reads.
type Config struct {
	Order  []string // every identity type in priority order (config.Pipeline.IdentityOrder())
	Unique []string
	Limits map[string]int
	// SourcePriority is the pipeline's source_priority: source types,
	// highest first; empty means config.SourceTypes.
	SourcePriority []string
}

// IdentityRecord is one identity held by a profile.
type IdentityRecord struct {
	Type, Value         string
	FirstSeen, LastSeen time.Time
	Feed                int // feed of the row that first saw it
}

// Profile is a snapshot of one profile.
type Profile struct {
	MPID                             int64
	CreatedAt, UpdatedAt, LastSeenAt time.Time
	Identities                       []IdentityRecord // sorted by Type then Value
}

// Drop is one line of dropped_rows.
type Drop struct {
	Feed, Pos int
	Reason    string
	Identity  *Identity // nil for a whole-row drop
}

// RunResult is what one Apply did.
type RunResult struct {
	Drops   []Drop           // in application order
	RowMPID map[[2]int]int64 // (feed, pos) -> profile the row resolved to; 0 = none (only_read, dropped)
	Created int              // profiles created in this run
	Merged  int              // profiles merged away in this run
	// This run's sets that took effect, and that did not, in the fold of
	// their (current profile, key) after the run (attributes.Stats).
	AttributesWritten, AttributesIgnored int
}

// profile is the mutable form of Profile.
type profile struct {
	mpid                             int64
	createdAt, updatedAt, lastSeenAt time.Time
	ids                              map[Identity]*IdentityRecord
}

// State is the identity store: profiles and aliases, carried across runs.
type State struct {
	cfg      Config
	rank     map[string]int  // identity type -> position in cfg.Order
	unique   map[string]bool // unique identity types
	profiles map[int64]*profile
	aliases  map[int64]int64 // alias -> final survivor
	runs     int             // Apply calls so far
	history  []appliedRow    // every applied row with writes, of every run
	attrs    map[int64]map[string]AttributeValue
}

// New returns an empty store using cfg.
func New(cfg Config) *State {
	s := &State{
		cfg:      cfg,
		rank:     map[string]int{},
		unique:   map[string]bool{},
		profiles: map[int64]*profile{},
		aliases:  map[int64]int64{},
	}
	for i, t := range cfg.Order {
		if _, seen := s.rank[t]; !seen {
			s.rank[t] = i
		}
	}
	for _, t := range cfg.Unique {
		s.unique[t] = true
	}
	return s
}

// Seed is doc.go rule 9 without probing: the lower 64 bits of
// md5("type:value") as DuckDB's md5_number_lower computes them (bytes 8..15
// of the digest read little-endian), minus 2^63.
func Seed(typ, value string) int64 {
	d := md5.Sum([]byte(typ + ":" + value))
	// u - 2^63 in two's complement is u with its top bit flipped.
	return int64(binary.LittleEndian.Uint64(d[8:]) ^ (1 << 63))
}

// Resolve returns the profile mpid names: itself if it is a profile, its
// survivor if it is an alias (chains resolve), false if it is neither.
func (s *State) Resolve(mpid int64) (int64, bool) {
	for range len(s.aliases) + 1 {
		if _, ok := s.profiles[mpid]; ok {
			return mpid, true
		}
		next, ok := s.aliases[mpid]
		if !ok {
			return 0, false
		}
		mpid = next
	}
	return 0, false // a cycle: cannot happen
}

// Aliases returns a copy of the alias map: alias MPID -> surviving MPID.
func (s *State) Aliases() map[int64]int64 {
	out := make(map[int64]int64, len(s.aliases))
	for a, p := range s.aliases {
		out[a] = p
	}
	return out
}

// Profiles returns a snapshot of every profile, sorted by MPID, each with
// its identities sorted by type then value.
func (s *State) Profiles() []Profile {
	out := make([]Profile, 0, len(s.profiles))
	for _, p := range s.profiles {
		snap := Profile{MPID: p.mpid, CreatedAt: p.createdAt, UpdatedAt: p.updatedAt, LastSeenAt: p.lastSeenAt}
		for _, r := range p.ids {
			snap.Identities = append(snap.Identities, *r)
		}
		sortRecords(snap.Identities)
		out = append(out, snap)
	}
	sortProfiles(out)
	return out
}

// taken reports whether mpid names a profile or an alias (rule 9).
func (s *State) taken(mpid int64) bool {
	_, isProfile := s.profiles[mpid]
	_, isAlias := s.aliases[mpid]
	return isProfile || isAlias
}

// freeMPID is rule 9's probing: seed if free, else the next free integer.
// Reading: int64 arithmetic wraps (MaxInt64+1 = MinInt64); 0 is not skipped.
func (s *State) freeMPID(seed int64) int64 {
	m := seed
	for s.taken(m) {
		m++
	}
	return m
}
