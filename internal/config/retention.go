package config

import "time"

// Retention bounds every lookback: events older than retention.events are
// deleted at the end of each run (whole UTC days), so a window reaching
// further back would silently read less than it says. Validation refuses
// such windows (window below); at run time, windows without a bound of
// their own (lifetime, `since:`) start at EventsCutoff.

// CoversLookback tells whether events reaching back d from a run's time are
// all kept: always when retention.events is not set.
func (r Retention) CoversLookback(d Duration) bool {
	return r.Events == 0 || d <= r.Events
}

// EventsCutoff is the oldest moment whose events a run at now keeps: the
// start (UTC) of the day now-retention.events falls in. Zero when
// retention.events is not set.
func (r Retention) EventsCutoff(now time.Time) time.Time {
	if r.Events == 0 {
		return time.Time{}
	}
	return now.UTC().Add(-time.Duration(r.Events)).Truncate(24 * time.Hour)
}

// ProfilesCutoff is the last-seen time before which a run at now deletes a
// profile. Zero when retention.profiles is not set.
func (r Retention) ProfilesCutoff(now time.Time) time.Time {
	if r.Profiles == 0 {
		return time.Time{}
	}
	return now.UTC().Add(-time.Duration(r.Profiles))
}

// window refuses at path a lookback d (a `within:`, `last_occurred:` …)
// longer than retention.events.
func (v *validator) window(path string, d Duration) {
	if r := v.p.Retention; !r.CoversLookback(d) {
		v.errorf(path, "window %s is longer than retention.events (%s): events that old are deleted; shorten the window or raise retention", d, r.Events)
	}
}
