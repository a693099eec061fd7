// Package config holds the versioned pipeline-file model (version 1), its
// parsing with positions, and its validation. See docs/pipeline.md.
package config

// Pipeline is one pipeline file.
type Pipeline struct {
	Version              int          `yaml:"version"`
	Name                 string       `yaml:"name"`
	State                string       `yaml:"state"`
	Schedule             string       `yaml:"schedule"`
	Retention            Retention    `yaml:"retention"`
	Identity             Identity     `yaml:"identity"`
	SourcePriority       []string     `yaml:"source_priority"`
	Feeds                []Feed       `yaml:"feeds"`
	CalculatedAttributes []Calculated `yaml:"calculated_attributes"`
	Audiences            []Audience   `yaml:"audiences"`
	Outputs              []Output     `yaml:"outputs"`
	Serve                Serve        `yaml:"serve"`

	// File is the pipeline file's path as given; Dir is its folder, against
	// which relative paths in the file resolve.
	File string `yaml:"-"`
	Dir  string `yaml:"-"`

	positions map[string]Position
}

// Pos returns the position of the value at path ("feeds[1].cursor"), or the
// file alone when the path was not in the file.
func (p *Pipeline) Pos(path string) Position {
	if pos, ok := p.positions[path]; ok {
		return pos
	}
	return Position{File: p.File}
}

// Retention bounds how long events and unseen profiles are kept.
type Retention struct {
	Events   Duration `yaml:"events"`
	Profiles Duration `yaml:"profiles"`
}

// Identity configures identity resolution (docs/design.md, identity rules).
type Identity struct {
	Priority      []string            `yaml:"priority"`
	Unique        []string            `yaml:"unique"`
	Limits        map[string]int      `yaml:"limits"`
	Blocklist     map[string][]string `yaml:"blocklist"`
	CaseSensitive []string            `yaml:"case_sensitive"`
	// MaxShared is mosaic's guard against giant profiles, off by default:
	// an identity value (of a type, or "*" for every type) carried by more
	// than N of the rows the store holds links nothing.
	MaxShared map[string]int `yaml:"max_shared"`
}

// Feed is one input table: where it comes from and how its columns map.
type Feed struct {
	Name       string `yaml:"name"`
	Source     Source `yaml:"source"`
	SourceType string `yaml:"source_type"`
	Protection string `yaml:"protection"`
	// Cursor names a column whose values only grow; rows at or below the
	// last committed watermark are skipped.
	Cursor string `yaml:"cursor"`
	// Timestamp names the column holding the row's time. Without it a row's
	// time is the run's.
	Timestamp string `yaml:"timestamp"`
	// MPID names a column holding a known profile id.
	MPID string `yaml:"mpid"`
	// Identities maps column -> identity type.
	Identities map[string]string `yaml:"identities"`
	// Attributes maps column -> attribute key.
	Attributes map[string]string `yaml:"attributes"`
	// DeletedAttributes names a column holding a list of attribute keys the
	// row deletes (a list, or a JSON list in text).
	DeletedAttributes string `yaml:"deleted_attributes"`
	// EventName names a column that makes each row with a value an event;
	// OccurredAt (default: the row's timestamp) and EventAttributes (a
	// JSON object) name the event's other columns.
	EventName       string `yaml:"event_name"`
	OccurredAt      string `yaml:"occurred_at"`
	EventAttributes string `yaml:"event_attributes"`
}

// Protection levels of a feed.
const (
	CreateUpdate = "create_update"
	OnlyUpdate   = "only_update"
	OnlyRead     = "only_read"
)

// Calculated is a calculated attribute.
type Calculated struct {
	Name        string   `yaml:"name"`
	Calculation string   `yaml:"calculation"`
	Event       string   `yaml:"event"`
	Attribute   string   `yaml:"attribute"`
	Within      Duration `yaml:"within"`
	Since       string   `yaml:"since"`
	// Where filters the events further by their attributes (all must hold).
	Where []Predicate `yaml:"where"`
}

// Audience is a named segment with criteria.
type Audience struct {
	Name     string    `yaml:"name"`
	Criteria Criterion `yaml:"criteria"`
}

// Criterion is one node of an audience's criteria tree: exactly one of its
// fields is set.
type Criterion struct {
	All       []Criterion     `yaml:"all"`
	Any       []Criterion     `yaml:"any"`
	Not       *Criterion      `yaml:"not"`
	Attribute *Predicate      `yaml:"attribute"`
	Calc      *Predicate      `yaml:"calculated"`
	Event     *EventPredicate `yaml:"event"`
	Identity  *IdentityCheck  `yaml:"identity"`
	Audience  string          `yaml:"audience"`
	SQL       string          `yaml:"sql"`
}

// Predicate compares a profile attribute with a value. Text compares
// case-insensitively unless CaseSensitive is set.
type Predicate struct {
	Key           string `yaml:"key"`
	Op            string `yaml:"op"`
	Value         any    `yaml:"value"`
	CaseSensitive bool   `yaml:"case_sensitive"`
}

// EventPredicate matches profiles by their events named Name (and matching
// every Where predicate on the event's attributes). The window is one of
// Within (the last duration before the run's clock), Between, or none (every
// stored event, bounded by retention). Without Count or LastOccurred a
// profile matches when it has at least one such event.
type EventPredicate struct {
	Name   string   `yaml:"name"`
	Within Duration `yaml:"within"`
	// Between is a fixed window [from, to).
	Between *Between `yaml:"between"`
	// Count compares how many such events the profile has in the window.
	Count *Comparison `yaml:"count"`
	// LastOccurred matches when the profile's most recent such event
	// happened within this duration before the run's clock.
	LastOccurred Duration    `yaml:"last_occurred"`
	Where        []Predicate `yaml:"where"`
}

// Between is an event window from From (inclusive) to To (exclusive).
type Between struct {
	From Bound `yaml:"from"`
	To   Bound `yaml:"to"`
}

// Comparison is a numeric comparison; one or more bounds may be set, and
// all of them must hold.
type Comparison struct {
	Eq  *float64 `yaml:"eq"`
	Ne  *float64 `yaml:"ne"`
	Gt  *float64 `yaml:"gt"`
	Gte *float64 `yaml:"gte"`
	Lt  *float64 `yaml:"lt"`
	Lte *float64 `yaml:"lte"`
}

// IdentityCheck matches profiles that hold an identity of a type.
type IdentityCheck struct {
	Type string `yaml:"type"`
}

// EventsAPI is the source kind of the batches `mosaic serve` accepts
// through its Events API.
const EventsAPI = "events_api"

// Source is a feed's `source:` block. Its kind-specific keys stay raw for
// the source connector that Kind names to decode.
type Source struct {
	Kind string `yaml:"kind"`
	Raw  Raw    `yaml:"-"`
}
