// Package identity resolves feed rows into profiles with mParticle IDSync
// semantics (docs/design.md, identity rules). Interning (one GROUP BY over
// the run's identity strings), ordering the rows and applying results run as SQL in
// sql/identity/; gathering each row's identities and the ordered matching,
// which SQL cannot express efficiently, run in Go over integer ids.
//
// # The procedure (normative)
//
// Staging has already trimmed and lower-cased values and removed
// blocklisted ones, so a row arrives with a set of (type, value) identities
// and perhaps an mpid. A run's rows are applied one at a time in order of
// (row timestamp, feed position in the pipeline file, row position in its
// feed); runs apply in run order, so a late row of a later run is applied
// in that run. A row's identities are walked in priority order: the
// pipeline's identity.priority, then the remaining types in the order of
// config.IdentityTypes; values of one type in byte order.
//
//  0. With identity.max_shared (mosaic's extension; off by default), a
//     value of a limited type carried by more than its limit of the rows
//     the store holds (counted as the run begins, the run's rows
//     included) is taken out of the run's rows before anything else:
//     it neither matches nor is added, and it is recorded once per feed
//     (shared_identity). Profiles that already hold it keep it.
//  1. A row with no identity and no mpid is dropped (no_identity).
//  2. A row mpid that exists as a profile, or as an alias (chains resolve),
//     is the match. An mpid that does not exist is ignored; a row with such
//     an mpid and no identity is dropped (unknown_mpid).
//  3. Otherwise the first identity (in priority order) held by some profile
//     decides: among the profiles holding it, the one whose last_seen_at for
//     that identity is latest; ties go to the smaller MPID.
//  4. If the match holds a value of a unique type that differs from a value
//     of that type the row carries, the match is rejected: there is no match
//     (and no further walking).
//  5. No match: create_update creates a profile and adds the row's
//     identities to it as in 6a; only_update drops the row
//     (no_matching_profile, or unique_conflict when 4 rejected a match);
//     only_read keeps the row with no profile.
//  6. A match P under create_update or only_update:
//     a. For each row identity in order: if P holds it, its last_seen_at
//     becomes the later and first_seen_at the earlier of the stored value
//     and the row's time. Otherwise it is added (first = last = row time,
//     feed = the row's feed) unless P holds another value of that type and
//     the type is unique (the identity is dropped: unique_conflict) or P
//     holds identity.limits[type] values of that type already
//     (identity_limit). A dropped identity is recorded in dropped_rows; the
//     row itself is kept.
//     b. Then for each row identity in order, each other profile Q holding
//     it (smaller MPID first) merges into P unless P and Q hold different
//     values of a unique type, or together they would hold more values of a
//     type than its limit. Merging moves Q's identities to P (an identity
//     both hold keeps the earlier first_seen_at with its feed, and the later
//     last_seen_at), Q's MPID becomes an alias of P, and aliases of Q now
//     point at P. A Q that may not merge keeps sharing the identity.
//  7. only_read never changes a profile or an identity; its row keeps no
//     profile (mpid NULL) even when a profile matches.
//  8. only_update's "existing" is whatever exists at that point of the
//     order: before the run, or created earlier in the run.
//  9. A new profile's MPID is the seed of its creating row's first identity
//     (in priority order): the lower 64 bits of md5("type:value"), read
//     little-endian, minus 2^63, as DuckDB's md5_number_lower computes it.
//     If that MPID is taken (a profile or an alias, now or earlier in the
//     run) the next integer is tried, and so on.
//
// Profile times: created_at is the creating row's time; last_seen_at the
// latest time of a row matched to it (a merge takes the later of both);
// updated_at the latest time of a row that created it, added an identity to
// it or merged another profile into it (a merge takes the later of both and
// the row's time), or of a change to its attribute values. The attribute
// stage, after this one, applies the last (the package comment of
// internal/attributes): for each key whose value after the run differs
// from its value before the run (set, overwritten with another value, or
// deleted), updated_at becomes the later of itself and the row time of the
// last of the run's writes that took effect on that key (a set the
// priority rule applied, a deletion that removed a value). "Before" folds
// the profile's writes of earlier runs, those of profiles it absorbed in
// the run included. So a value set and set back in one run, set again to
// the same value, or kept out by a higher-priority owner moves nothing;
// calculated attributes and audience membership never do. All three times
// are row times, never the run's clock, and only move forward: a late row
// that changes a value (an older write of a higher-priority source type)
// moves updated_at only if it is later.
package identity
