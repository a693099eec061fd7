package config_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/config"
)

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"90d", 90 * 24 * time.Hour},
		{"2w", 14 * 24 * time.Hour},
		{"12h", 12 * time.Hour},
		{"30m", 30 * time.Minute},
		{"45s", 45 * time.Second},
		{"1s", time.Second},
		{"36500d", 36500 * 24 * time.Hour},
	} {
		d, err := config.ParseDuration(tc.in)
		if err != nil {
			t.Errorf("ParseDuration(%q): %v", tc.in, err)
			continue
		}
		if time.Duration(d) != tc.want {
			t.Errorf("ParseDuration(%q) = %v, want %v", tc.in, time.Duration(d), tc.want)
		}
		if got := d.String(); got != tc.in {
			t.Errorf("ParseDuration(%q).String() = %q, want it back", tc.in, got)
		}
	}
}

// String writes the largest unit that divides the duration.
func TestDurationString(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{7 * 24 * time.Hour, "1w"},
		{91 * 24 * time.Hour, "13w"},
		{24 * time.Hour, "1d"},
		{60 * time.Minute, "1h"},
		{90 * time.Minute, "90m"},
		{90 * time.Second, "90s"},
		{0, "0w"},
	} {
		if got := config.Duration(tc.d).String(); got != tc.want {
			t.Errorf("Duration(%v).String() = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestParseDurationErrors(t *testing.T) {
	const format = "bad duration %q: write a whole number and one unit of w, d, h, m or s, like 90d or 12h"
	const number = "bad duration %q: the number must be between 1 and 36500"
	const long = "bad duration %q: at most 100 years (36500d)"
	for _, tc := range []struct{ in, format string }{
		{"", format},
		{"90", format},
		{"d", format},
		{"90 days", format},
		{"90D", format},
		{"1.5h", format},
		{"-1d", format},
		{"10x", format},
		{"1d12h", format},
		{" 90d", format},
		{"0d", number},
		{"36501d", number},
		{"99999999999999999999d", number},
		{"5215w", long},
		{"15251w", long}, // 15251 weeks overflow time.Duration
		{"36500w", long},
	} {
		d, err := config.ParseDuration(tc.in)
		want := fmt.Sprintf(tc.format, tc.in)
		if err == nil {
			t.Errorf("ParseDuration(%q) = %v, want error %s", tc.in, time.Duration(d), want)
		} else if err.Error() != want {
			t.Errorf("ParseDuration(%q) error\n got: %v\nwant: %s", tc.in, err, want)
		}
	}
}
